; oscillators.csd - table and band-limited oscillators side by side
; (oscili, poscil, poscil3, oscil3, vco2, buzz, gbuzz, foscili, phasor+tablei, lfo).
; 48 kHz, ksmps 32, stereo, 0dbfs 1; score-driven, about 8 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1

giSine  ftgen 1, 0, 8192, 10, 1
giSaw   ftgen 2, 0, 4096, 7, -1, 4096, 1
giHarm  ftgen 3, 0, 16384, 9, 1, 1, 0, 2, 0.5, 45, 3, 0.3, 90, 5, 0.2, 0
giCos   ftgen 4, 0, 65537, 11, 1
giTri   ftgen 5, 0, 1024, 7, 0, 256, 1, 512, -1, 256, 0

instr 1 ; oscili / poscil / poscil3 / oscil3 on different tables
  icps = p4
  kenv linseg 0, 0.05, 1, p3 - 0.15, 0.6, 0.1, 0
  a1 oscili 0.2, icps, giSine
  a2 poscil 0.1, icps * 1.5, giHarm
  a3 poscil3 0.08, icps * 2.01, giSaw
  a4 oscil3 0.08, icps * 0.5, giTri
  outs (a1 + a2) * kenv, (a3 + a4) * kenv
endin

instr 2 ; vco2 waveforms with a k-rate pitch glide
  kcps expseg p4, p3, p4 * 2
  a1 vco2 0.15, kcps, 0
  a2 vco2 0.15, kcps * 1.003, 2, 0.3
  a3 vco2 0.1, kcps * 0.5, 12
  kenv linen 1, 0.02, p3, 0.2
  outs (a1 + a3) * kenv, (a2 + a3) * kenv
endin

instr 3 ; buzz / gbuzz with moving harmonics
  knh line 1, p3, 30
  klh line 1, p3, 4
  kmul line 0.2, p3, 0.9
  a1 buzz 0.2, p4, knh, giCos
  a2 gbuzz 0.2, p4 * 1.25, knh, klh, kmul, giCos
  kenv linseg 0, 0.01, 1, p3 - 0.02, 1, 0.01, 0
  outs a1 * kenv, a2 * kenv
endin

instr 4 ; foscili FM with an lfo on the index, phasor + tablei lookup
  klfo lfo 3, 5, 0
  kndx = 4 + klfo
  a1 foscili 0.2, p4, 1, 1.414, kndx, giSine
  aph phasor p4 * 0.75
  a2 tablei aph, giHarm, 1
  kenv expseg 0.001, 0.02, 1, p3 - 0.02, 0.001
  outs a1 * kenv, a2 * 0.2 * kenv
endin
</CsInstruments>
<CsScore>
i 1 0     2   220
i 1 0.5   1.5 330.5
i 2 1.7   2   110
i 3 3.1   2.3 147
i 4 5.03  2.5 196
i 1 6.5   1.2 523.25
e
</CsScore>
</CsoundSynthesizer>
