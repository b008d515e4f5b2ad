; Adapted from Cabbage's Examples/Widgets/combobox.csd (Rory Walsh, 2021, CC0 1.0).
; An ADSR synth with a waveform menu; Cabbage's own opcodes replaced by chnget.
<Cabbage>
form caption("Combobox Example") size(380, 500), guiMode("queue"), colour(2, 145, 209) pluginId("def1")

rslider bounds(12, 9, 86, 90), channel("att"), range(0, 1, 0.01, 1, 0.001), text("Att.")
rslider bounds(99, 9, 86, 90), channel("dec"), range(0, 1, 0.4, 1, 0.001), text("Dec.")
rslider bounds(187, 9, 86, 90), channel("sus"), range(0, 1, 0.7, 1, 0.001), text("Sus.")
rslider bounds(274, 9, 86, 90), channel("rel"), range(0, 1, 0.8, 1, 0.001), text("Rel.")

texteditor bounds(18, 256, 341, 208) channel("infoText"), readOnly(1), wrap(1), scrollbars(1)
keyboard bounds(12, 104, 348, 80) channel("keyboard")
combobox bounds(260, 188, 100, 30) channel("waveform"), colour:0(147, 210, 0), corners(5), items("Saw", "Square", "Triangle")
</Cabbage>
<CsoundSynthesizer>
<CsOptions>
-n -d -+rtmidi=NULL -M0 -m0d --midi-key=4 --midi-velocity-amp=5
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1

instr 1
    iVcoModes[] fillarray 0, 10, 12
    iAtt chnget "att"
    iDec chnget "dec"
    iSus chnget "sus"
    iRel chnget "rel"
    iWave chnget "waveform"          ; 1 = first item
    iMode = iVcoModes[limit(iWave, 1, 3) - 1]
    kEnv madsr iAtt, iDec, iSus, iRel
    aVco vco2 kEnv * p5 * 0.5, cpsmidinn(p4), iMode
    outs aVco, aVco
endin
</CsInstruments>
<CsScore>
i1 0 0.6 60 0.8
i1 0.3 0.6 67 0.6
</CsScore>
</CsoundSynthesizer>
