; Adapted from Cabbage's Examples/Widgets/xypad.csd (Rory Walsh, 2021, CC0 1.0).
; The pad sets a filter's cutoff (x) and resonance (y) on a sawtooth instead of a sample.
<Cabbage>
form caption("XYPad Example") size(400, 650), guiMode("queue"), colour(2, 145, 209) pluginId("def1")
texteditor bounds(22, 337, 361, 294) channel("infoText"), readOnly(1), wrap(1), scrollbars(1)
xypad bounds(26, 20, 260, 250) channel("x", "y") rangeX(0, 400, 105) rangeY(0, 400, 200)
rslider bounds(300, 190, 73, 71) channel("gain") textColour(255, 255, 255, 255), text("Gain") range(0, 2, 1.158, 1, 0.001)
rslider bounds(300, 110, 73, 71) channel("speed") textColour(255, 255, 255, 255), text("Speed") range(-2, 2, -0.384, 1, 0.001)

rslider bounds(300, 32, 73, 71) channel("wetDry") textColour(255, 255, 255, 255), text("Wet/Dry") range(0, 1, 0, 1, 0.001)

checkbox bounds(28, 274, 104, 26) channel("random"), colour:1(147, 210, 0), fontColour:1(255, 255, 255) text("Randomise")
nslider bounds(136, 274, 61, 26) visible(0), channel("updateSpeed") range(0, 20, 2, 1, 0.01) velocity(50)
</Cabbage>
<CsoundSynthesizer>
<CsOptions>
-n -d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1

instr 1
    kX chnget "x"
    kY chnget "y"
    kGain chnget "gain"
    kSpeed chnget "speed"
    kWet chnget "wetDry"
    kRandom chnget "random"
    kRate chnget "updateSpeed"
    if kRandom == 1 then
        kX = 200 + jspline(200, kRate * 0.5, kRate)
        kY = 200 + jspline(200, kRate * 0.5, kRate)
    endif
    aSrc vco2 0.3, 110 * 2 ^ kSpeed
    aFilt moogladder aSrc, 100 + portk(kX, 0.05) * 20, limit(kY / 450, 0, 0.9)
    aL, aR freeverb aFilt, aFilt, 0.8, 0.5
    outs (aFilt * (1 - kWet) + aL * kWet) * kGain, (aFilt * (1 - kWet) + aR * kWet) * kGain
endin
</CsInstruments>
<CsScore>
i1 0 z
</CsScore>
</CsoundSynthesizer>
