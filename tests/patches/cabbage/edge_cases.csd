; A Cabbage section written to exercise the parser: comments, macros, odd spacing,
; continued lines, plants, defaults outside the range, menus filled at run time,
; duplicate channels and widgets that are skipped. The Csound part is a plain sine.
<Cabbage>
/* A block comment, with a widget that must not count:
rslider channel("commentedOut"), range(0, 1, 0.5)
*/
#define KNOB colour(40, 40, 40) trackerColour("orange")
#define LEVEL range(0, 1, 0.25, 1, 0.01)
form caption("Edge cases") size(400, 300) ; a form is not a control
; rslider channel("alsoCommented")
groupbox bounds(0, 0, 400, 150) text("Tone") plant("tone") {
    rslider   bounds( 5 ,5, 60,60 ) ,channel( "freq" ) ,range( 100 , 1000 , 440 , .5 , 1 ) ,text( "Freq (Hz)" ) $KNOB ,
    rslider bounds(70, 5, 60, 60) channel("level") $LEVEL text("Level, dB-ish")   // trailing comment
    nslider bounds(140, 5, 60, 20) channel("level") range(0, 1, 0.5)   ; mirrors "level"
}
rslider bounds(5, 70, 60, 60), channel("fold"), range(1, 1024, 0, 0.25)
hslider bounds(70, 70, 200, 20), channel("pan"), range(-1, 1)
hslider bounds(70, 95, 200, 20) value(0.75) channel("late") range(0, 1, 0.1)
hslider bounds(70, 120, 200, 20) range(0, 1, 0.1) value(0.75) channel("early")
vslider bounds(280, 70, 20, 100), channel("steps"), \
        range(0, 10, 3.4, 1, 1), text("Steps")
checkbox bounds(5, 140, 80, 20), channel("on"), text("On"), value(1)
checkbox bounds(5, 165, 80, 20), channel("mute")
button bounds(90, 140, 60, 20), channel("trig"), text("Go", "Stop")
combobox bounds(160, 140, 100, 20), channel("shape"), text("Sine", "Low, soft", "High (loud)"), value(2)
combobox bounds(160, 165, 100, 20), channel("preset")
combobox bounds(160, 190, 100, 20), channel("file"), channelType("string"), items("a.wav", "b.wav")
combobox bounds(160, 215, 100, 20), channel("samples"), populate("*.wav")
optionbutton bounds(270, 140, 60, 20), channel("mode"), items("A", "B", "C"), value(1), caption("Mode")
xypad bounds(5, 190, 100, 100), channel("padX", "padY"), rangeX(0, 10, 5), rangeY(-1, 1, 0), text("Pad")
vrange bounds(340, 10, 20, 150), channel("lo", "hi"), range(20, 20000, 200:2000, 0.3)
encoder bounds(270, 170, 50, 50), channel("octave"), min(-3), max(3), value(1)
rslider bounds(330, 200, 50, 50), channel("wide"), range(0, 1, 0.5, 1, 0.01
    ), text("Wide")
label bounds(5, 280, 100, 15), channel("status"), text("status")
image bounds(0, 0, 10, 10), channel("logo")
rslider bounds(0, 0, 10, 10), text("No channel"), range(0, 1, 0.5)
rslider bounds(0, 0, 10, 10), channel("bad"), range(0, 1, abc)
rslider bounds(0, 0, 10, 10), channel("empty"), range(1, 1, 1)
fancyknob bounds(0, 0, 10, 10), channel("unknown")
hmeter bounds(5, 295, 200, 5), channel("out")
vmeter bounds(5, 295, 200, 5), channel("level")
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
    kFreq chnget "freq"
    kLevel chnget "level"
    kGain = kLevel * chnget:k("on") * (1 - chnget:k("mute"))
    aSig poscil port(kGain, 0.01), kFreq
    if chnget:k("shape") == 3 then
        aSig = tanh(aSig * 4) * 0.5
    endif
    chnset rms(aSig), "out"
    outs aSig, aSig
endin
</CsInstruments>
<CsScore>
i1 0 z
</CsScore>
</CsoundSynthesizer>
