; delays.csd - delay lines: delayr/delayw with deltap/deltapi/deltap3 taps, vdelay,
; vdelay3, comb, alpass, delay and multitap on plucked and enveloped sources.
; 48 kHz, ksmps 64, stereo, 0dbfs 1; about 12 s (global-bus effect instrument).
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 64
nchnls = 2
0dbfs = 1

gaBus init 0

instr 1 ; plucked-ish source: enveloped sawtooth into the bus
  kenv expseg 1, p3, 0.001
  asig vco2 0.3 * kenv, p4
  asig butterlp asig, 3000
  gaBus = gaBus + asig
  outs asig * 0.5, asig * 0.5
endin

instr 10 ; effect: always on, reads the bus
  ; feedback delay with three taps (fixed, linear and cubic interpolation)
  abuf delayr 1.5
  atap1 deltap 0.25
  ktime oscili 0.05, 0.3
  atap2 deltapi 0.5 + ktime
  atap3 deltap3 0.75 - ktime
        delayw gaBus + atap3 * 0.4
  ; modulated delays (time in ms)
  amod oscili 5, 0.8
  av1 vdelay gaBus, 20 + amod, 100
  av2 vdelay3 gaBus, 30 - amod, 100
  ; comb and allpass
  acmb comb gaBus, 2, 0.137
  aap alpass acmb, 1, 0.05
  ; plain delay and multitap
  adl delay gaBus, 0.1
  amt multitap gaBus, 0.11, 0.5, 0.23, 0.3, 0.37, 0.2
  aL = atap1 * 0.4 + atap2 * 0.3 + av1 * 0.3 + aap * 0.1 + adl * 0.3
  aR = atap3 * 0.4 + av2 * 0.3 + acmb * 0.1 + amt * 0.5
  outs aL, aR
  clear gaBus
endin
</CsInstruments>
<CsScore>
i 10 0 12
i 1 0    0.8 220
i 1 0.9  0.4 330
i 1 1.35 0.4 277.2
i 1 2.1  1.2 164.8
i 1 4.02 0.3 440
i 1 4.5  0.3 392
i 1 5    0.3 349.2
i 1 7.77 1   110
e
</CsScore>
</CsoundSynthesizer>
