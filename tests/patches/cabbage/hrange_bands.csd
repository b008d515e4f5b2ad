; Adapted from Cabbage's Examples/Widgets/hrange.csd (Rory Walsh, 2021, CC0 1.0).
; Three band-pass filters whose pass bands are set by range sliders; the sample source of
; the original is left out.
<Cabbage>
form caption("HRange Example") size(380, 500), guiMode("queue"), colour(2, 145, 209) pluginId("def1")
texteditor bounds(14, 260, 352, 228) channel("infoText"), readOnly(1), wrap(1), scrollbars(1)

hrange bounds(22, 20, 336, 40) channel("rangeMin1", "rangeMax1") range(0, 1000, 100:200, 1, 0.001)
hrange bounds(22, 60, 336, 40) channel("rangeMin2", "rangeMax2") range(0, 1000, 200:300, 1, 0.001)
hrange bounds(22, 100, 336, 40) channel("rangeMin3", "rangeMax3") range(0, 1000, 400:500, 1, 0.001)
button bounds(278, 224, 78, 28) channel("agitate"), text("Agitate", "Stop")
combobox bounds(22, 224, 100, 30) channel("source"), items("Noise", "Pulse Wave")
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

giSine ftgen 0, 0, 8192, 10, 1

instr 1
    kMin chnget sprintf("rangeMin%d", p4)
    kMax chnget sprintf("rangeMax%d", p4)
    kSource chnget "source"
    if chnget:k("agitate") == 1 then
        kMin = 400 + jspline(300, 0.1, 0.3)
        kMax = kMin + 100 + abs(jspline(300, 0.2, 0.3))
    endif
    if kSource == 2 then
        aSource buzz 0.6, 50, 20, giSine
    else
        aSource rand 0.8
    endif
    kWidth = max(kMax - kMin, 10)
    aBp butterbp aSource, port(kMin + kWidth / 2, 0.02), kWidth
    aEnv linseg 0, 0.05, 1
    outs aBp * aEnv * 2, aBp * aEnv * 2
endin
</CsInstruments>
<CsScore>
i1 0 z 1
i1 0 z 2
i1 0 z 3
</CsScore>
</CsoundSynthesizer>
