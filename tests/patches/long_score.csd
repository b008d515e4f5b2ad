; long_score.csd - a long score (about 25 s, 52 notes in three sections) exercising score features:
; tempo statements with accelerando/ritardando (t), sections (s), carry (.), p2
; shorthands (+ and ^+), ramps (<), a {} loop with [] expressions and a 'b' time offset.
; 48 kHz, ksmps 10, stereo, 0dbfs 1.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 10
nchnls = 2
0dbfs = 1

instr 1 ; plucked string (pluck with a fixed initial table, so no random init)
  icps = cpspch(p4)
  iamp = p5
  ipan = p6
  asig pluck iamp, icps, icps, 2, 1
  kenv linsegr 1, p3, 1, 0.05, 0
  aL, aR pan2 asig * kenv, ipan
  outs aL, aR
endin

instr 2 ; soft pad with a linseg swell
  icps = cpspch(p4)
  kenv linseg 0, p3 * 0.3, p5, p3 * 0.4, p5, p3 * 0.3, 0
  a1 vco2 1, icps, 10
  a2 vco2 1, icps * 1.005, 10
  asig moogladder (a1 + a2) * kenv, 900 + kenv * 3000, 0.2
  outs asig * (1 - p6), asig * p6
endin
</CsInstruments>
<CsScore>
f 2 0 1024 10 1 0.5 0.3 0.25 0.2
t 0 120 8 160 16 160 20 90

; section 1: melody with carry and + / ^+ start times, ramped amplitude and pan
i 1 0    0.5 8.00 0.1  0.1
i . +    .   8.02 <    <
i . +    .   8.04 <    <
i . +    .   8.05 <    <
i . +    .   8.07 <    <
i . +    .   8.09 <    <
i . +    .   8.11 <    <
i . +    1   9.00 0.3  0.9
i . ^+1  0.5 8.07 0.2  0.5
i . +    .   8.04 .    .
i . +    .   8.00 .    .
i 2 0    6   6.00 0.15 0.3
i 2 6    4   6.07 0.15 0.7
s

; section 2: a repeated figure from a loop, offset by b
b 1
{ 7 CNT
i 1 [$CNT * 1.5]         0.25 8.00 0.2 0.2
i 1 [$CNT * 1.5 + 0.5]   0.25 8.07 0.15 0.8
i 1 [$CNT * 1.5 + 0.75]  0.25 9.00 0.12 0.5
}
b 0
i 2 0 11.5 5.09 0.12 0.5
s

; section 3: chord stabs under a slowing tempo, the last one held
t 0 100 6 100 10 50
i 1 0   1   7.00 0.15 0.2
i . .   .   7.04 .    0.4
i . .   .   7.07 .    0.6
i . .   .   7.11 .    0.8
i 1 2   1   7.02 0.15 0.2
i . .   .   7.05 .    0.4
i . .   .   7.09 .    0.6
i . .   .   8.00 .    0.8
i 1 4   1.5 6.11 0.15 0.2
i . .   .   7.02 .    0.4
i . .   .   7.05 .    0.6
i . .   .   7.09 .    0.8
i 1 6   1   7.00 0.2  0.5
i . 6.5 .   7.04 .    .
i . 7   .   7.07 .    .
i . 7.5 3   8.00 .    .
i 2 6   6   6.00 0.2  0.5
e
</CsScore>
</CsoundSynthesizer>
