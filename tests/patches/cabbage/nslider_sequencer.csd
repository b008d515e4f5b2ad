; Adapted from Cabbage's Examples/Widgets/numberbox.csd (Rory Walsh, 2021, CC0 1.0).
; An eight-step sequencer: number boxes hold the notes, Shuffle/Clear rewrite them.
; The play button starts on (value(1)) so the patch sounds without a click.
<Cabbage>
form caption("nslider Example") size(570, 500), guiMode("queue"), colour(2, 145, 209) pluginId("def1")

texteditor bounds(24, 324, 530, 147) channel("infoText"), readOnly(1), wrap(1), scrollbars(1)
image bounds(78, 8, 29, 239) channel("scrubber"), corners(3)
button bounds(478, 260, 76, 26) channel("play"), corners(5), text("Play", "Stop"), value(1)
button bounds(74, 256, 82, 20) channel("shuffle"), corners(5), text("Shuffle")
button bounds(74, 278, 82, 20) channel("clear"), corners(5), text("Clear")
nslider bounds(12, 10, 57, 22) channel("note0")  range(38, 88, 72, 1, 1) velocity(50)
nslider bounds(12, 40, 57, 22) channel("note1")  range(38, 88, 67, 1, 1) velocity(50)
nslider bounds(12, 70, 57, 22) channel("note2")  range(38, 88, 60, 1, 1) velocity(50)
nslider bounds(12, 100, 57, 22) channel("note3") range(38, 88, 59, 1, 1) velocity(50)
nslider bounds(12, 130, 57, 22) channel("note4") range(38, 88, 57, 1, 1) velocity(50)
nslider bounds(12, 160, 57, 22) channel("note5") range(38, 88, 52, 1, 1) velocity(50)
nslider bounds(12, 190, 57, 22) channel("note6") range(38, 88, 48, 1, 1) velocity(50)
nslider bounds(12, 220, 57, 22) channel("note7") range(38, 88, 36, 1, 1) velocity(50)


rslider bounds(16, 252, 51, 51) channel("randomWeight"), text("Weight") range(0, 100, 90, 1, 0.001)
rslider bounds(224, 252, 51, 51) channel("decay") range(0, 1, 0.3, 1, 0.001), text("Decay")
rslider bounds(278, 252, 91, 51) channel("pw") range(0.2, 0.8, 0.2, 1, 0.001), text("Pulse Width")
rslider bounds(168, 252, 51, 51) channel("tempo") range(2, 8, 4, 1, 2), text("Tempo")
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

seed 1

instr 1
    kStep init 0
    kPlay chnget "play"
    kTempo chnget "tempo"
    ; Cabbage buttons flip between 0 and 1 on each click
    if changed(chnget:k("shuffle")) == 1 then
        event "i", 3, 0, 0, 1
    endif
    if changed(chnget:k("clear")) == 1 then
        event "i", 3, 0, 0, 0
    endif
    if kPlay == 1 && metro(kTempo) == 1 then
        if random:k(0, 100) <= chnget:k("randomWeight") then
            event "i", 2, 0, chnget:k("decay") + 0.05, kStep, chnget:k("pw")
        endif
        kStep = (kStep + 1) % 8
    endif
endin

instr 2
    iNote chnget sprintf("note%d", p4)
    aEnv expon 1, p3, 0.001
    aOut vco2 0.3, cpsmidinn(iNote), 2, p5
    outs aOut * aEnv, aOut * aEnv
endin

instr 3 ; p4: 1 shuffles the notes, 0 clears them to 60
    iIndex = 0
    while iIndex < 8 do
        chnset p4 == 1 ? int(random(38, 88.99)) : 60, sprintf("note%d", iIndex)
        iIndex += 1
    od
endin
</CsInstruments>
<CsScore>
i1 0 z
</CsScore>
</CsoundSynthesizer>
