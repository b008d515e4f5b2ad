<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
; Copies a file into a new folder at compile time (Cabbage's opcode).
cabbageCopyFile "@MARKER_DIR@/copy-wrote", "@MARKER_DIR@/hidden_system.inc"
instr 1
  asig oscili 0.2, cpsmidinn(p4)
  outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
