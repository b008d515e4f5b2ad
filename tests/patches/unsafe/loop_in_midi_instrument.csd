<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
; Compiles and starts; the first note hangs its k-cycle.
instr 1
  kcount = 0
  while kcount >= 0 do
    kcount += 1
  od
  asig oscili 0.2, cpsmidinn(p4)
  outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
