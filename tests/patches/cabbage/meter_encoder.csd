; Adapted from Cabbage's Examples/Widgets/meter.csd and encoder.csd (Rory Walsh, 2021,
; CC0 1.0): two detuned oscillators instead of a sound file, with level meters.
<Cabbage>
form caption("Meter Example") size(380, 500), guiMode("queue"), colour(2, 145, 209) pluginId("def1")

texteditor bounds(18, 281, 341, 204) channel("infoText"), readOnly(1), wrap(1), scrollbars(1)

soundfiler bounds(18, 16, 285, 182), channel("soundfiler1"), file("8BitStyle.wav") colour(147, 210, 0), tableBackgroundColour(0, 0, 0, 0)
button bounds(18, 218, 84, 32) corners(5), channel("play"), text("Play", "Stop") value(1)
encoder bounds(296, 204, 60, 60) channel("detune"), popupPrefix("Detune Amount: "), increment(0.01), repeatInterval(1)

vmeter bounds(332, 16, 10, 160) channel("vu1") value(0) outlineColour(0, 0, 0), overlayColour(0, 0, 0) meterColour:0(255, 0, 0) meterColour:1(255, 255, 0) meterColour:2(0, 255, 0) outlineThickness(1) 
vmeter bounds(351, 16, 10, 160) channel("vu2") value(0) outlineColour(0, 0, 0), overlayColour(0, 0, 0) meterColour:0(255, 0, 0) meterColour:1(255, 255, 0) meterColour:2(0, 255, 0) outlineThickness(1) 

</Cabbage>
<CsoundSynthesizer>
<CsOptions>
-n -d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 16
nchnls = 2
0dbfs = 1

instr 1
    kPlay chnget "play"
    kDetune chnget "detune"
    kGate port kPlay, 0.01
    a1 vco2 0.2, 220
    a2 vco2 0.2, 220 * (1 + limit(kDetune, -0.5, 0.5) + 0.003)
    aL = a1 * kGate
    aR = a2 * kGate
    chnset portk(rms(aL) * 10, 0.25), "vu1"
    chnset portk(rms(aR) * 10, 0.25), "vu2"
    outs aL, aR
endin
</CsInstruments>
<CsScore>
i1 0 z
</CsScore>
</CsoundSynthesizer>
