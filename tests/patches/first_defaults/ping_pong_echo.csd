<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Csound Plug FX — default effect: a ping-pong echo.
; The dry signal passes unchanged; each echo comes 300 ms after the last,
; alternating sides and getting darker as it repeats.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

instr 1
  idelay    = 0.3   ; seconds between echoes
  ifeedback = 0.45  ; level of each repeat
  iwet      = 0.5   ; level of the first echo
  ainL, ainR ins
  abufL  delayr 2
  atapL  deltap idelay
  abufR  delayr 2
  atapR  deltap idelay
  ; ping-pong: each side feeds the other through a low-pass
         delayw ainL + tone(atapR, 3500) * ifeedback
         delayw ainR + tone(atapL, 3500) * ifeedback
  outs ainL + atapL * iwet, ainR + atapR * iwet
endin
</CsInstruments>
<CsScore>
i 1 0 z
</CsScore>
</CsoundSynthesizer>
