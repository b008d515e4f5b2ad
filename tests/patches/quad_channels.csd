<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Four channels, a different voice on each: the command line renders all four, the
; plugin fits them to the host's bus.
sr = 48000
ksmps = 32
nchnls = 4
0dbfs = 1

instr 1
  kenv linseg 0, 0.05, 1, p3 - 0.1, 1, 0.05, 0
  a1 oscili 0.3 * kenv, 220
  a2 vco2 0.2 * kenv, 330
  a3 oscili 0.25 * kenv, 440, -1, 0.25
  anoise rand 0.1
  a4 butterlp anoise * kenv, 1200
  outq a1, a2, a3, a4
endin
</CsInstruments>
<CsScore>
i 1 0 1.5
</CsScore>
</CsoundSynthesizer>
