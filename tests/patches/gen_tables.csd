; gen_tables.csd - function-table generators and readers: GEN02/05/07/08/09/10/16/17/
; 20/27/30 tables from the score and from ftgen, read with table, tablei, table3,
; tablexkt, oscil1i and ftmorf, plus a table written at k-rate (tablew) and read back.
; 44.1 kHz, ksmps 20, stereo, 0dbfs 1; about 8 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 44100
ksmps = 20
nchnls = 2
0dbfs = 1

giWin    ftgen 20, 0, 1024, 20, 2, 1
giSteps  ftgen 21, 0, 8, -2, 0, 2, 4, 5, 7, 9, 11, 12
giPulse  ftgen 22, 0, 4096, 16, 0, 512, -6, 1, 3584, 2, 0
giMorph1 ftgen 23, 0, 4096, 10, 1
giMorph2 ftgen 24, 0, 4096, 10, 1, 0, 0.33, 0, 0.2, 0, 0.14
giMorph3 ftgen 25, 0, 4096, 10, 1, 0.5, 0.33, 0.25, 0.2, 0.16, 0.14
giMorphs ftgen 26, 0, 4, -2, 23, 24, 25, 23
giMorphed ftgen 27, 0, 4096, 10, 1
giScratch ftgen 28, 0, 512, -2, 0

instr 1 ; step sequencer reading GEN02 (table), shaped by GEN05/GEN07 envelopes
  kstep phasor 4 / 8
  knote table kstep * 8, giSteps
  kcps = cpsmidinn(60 + knote)
  kenv oscil1i 0, 1, p3, 2
  kshape oscil 1, 4, 3
  asig oscili 0.25 * kenv * kshape, kcps, 4
  outs asig, asig * 0.7
endin

instr 2 ; ftmorf between three spectra, tablei/table3 reads, a GEN16 pulse envelope
  kmorph line 0, p3, 2.99
  ftmorf kmorph, giMorphs, giMorphed
  a1 oscili 0.2, p4, giMorphed
  aph phasor 2
  aenv tablei aph, giPulse, 1
  aph2 phasor p4 * 2
  a2 table3 aph2, 5, 1
  outs a1 * aenv, a2 * 0.1 * aenv
endin

instr 3 ; GEN17 step map, tablexkt with a warp sweep, GEN27 breakpoints
  kx line 0, p3, 127
  knote table kx, 6
  kwarp line 1, p3, 3
  aph phasor cpsmidinn(knote)
  asig tablexkt aph, giMorph3, kwarp, 16, 1, 0, 1
  kenv tablei timeinsts() / p3, 7, 1
  outs asig * kenv * 0.2, asig * kenv * 0.2
endin

instr 4 ; write a table at k-rate (one window of a sine) and play it back
  kndx init 0
  kval = sin(kndx / 512 * 6.283185307)
  tablew kval * tab:k(kndx * 2, giWin), kndx, giScratch
  kndx = (kndx + 1) % 512
  aph phasor p4
  asig tablei aph, giScratch, 1
  outs asig * 0.2, asig * 0.2
endin
</CsInstruments>
<CsScore>
f 2 0 1024 5 0.001 100 1 724 0.5 200 0.001
f 3 0 256 7 1 64 0.2 192 1
f 4 0 8192 9 1 1 0 3 0.333 0 5 0.2 0 7 0.143 0
f 5 0 8192 8 0 2048 1 4096 -1 2048 0
f 6 0 128 -17 0 48 32 55 64 60 96 67
f 7 0 1024 27 0 0 100 1 500 0.4 1000 0.6 1023 0
f 8 0 4096 30 4 1 20
i 1 0   2.5
i 2 2.3 2.2 196
i 3 4.2 2
i 4 6   2 330
e
</CsScore>
</CsoundSynthesizer>
