<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
; A macro spells the command opcode so that a text search for its name misses it.
#define RUN #sys#
ires $RUN.tem_i 1, "touch @MARKER_DIR@/macro-ran"
instr 1
  asig oscili 0.2, cpsmidinn(p4)
  outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
