<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Csound Plug — default instrument: a two-oscillator subtractive synth.
; Host notes arrive as score events: p4 = MIDI key, p5 = velocity (1-127),
; p6 = MIDI channel (1-16); the note lasts until its note-off.
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1

instr 1
  ifreq  = cpsmidinn(p4)
  ivel   = p5 / 127
  ichan  = p6        ; MIDI channel, unused by this patch
  iamp   = 0.25 * ivel ^ 1.5
  aenv   madsr 0.005, 0.4, 0.55, 0.3   ; a-rate, so the attack starts on the note's first sample
  kenv   = k(aenv)
  asaw   vco2 1, ifreq
  apulse vco2 0.6, ifreq, 2, 0.3
  ; the filter opens with velocity and closes with the envelope
  kcut   = limit(ifreq * (1.5 + 8 * ivel * kenv), 60, 16000)
  afilt  moogladder asaw + apulse, kcut, 0.25
  aout   = afilt * aenv * iamp
  outs aout, aout
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
