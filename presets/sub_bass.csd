<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Sub Bass: a deep bass made of a sine/triangle sub oscillator (the weight you
; feel) and a sawtooth through a low-pass filter whose cutoff jumps up at the
; start of each note (the punch you hear), then soft-clipped by a drive stage.
; Host notes arrive as score events: p4 = MIDI key, p5 = velocity (1-127),
; p6 = MIDI channel, p7 = frequency in Hz; each note lasts until its note-off.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "sub", 1, 2, 0.7, 0, 1             ; level of the sine/triangle sub oscillator
chnset 0.7, "sub"
chn_k "cutoff", 1, 3, 250, 40, 4000      ; Hz: where the saw's filter rests
chnset 250, "cutoff"
chn_k "env", 1, 2, 0.5, 0, 1             ; how far the filter opens at each note (0 to 4 octaves)
chnset 0.5, "env"
chn_k "decay", 1, 3, 0.3, 0.05, 2        ; seconds: how fast the punch (filter and level) falls back
chnset 0.3, "decay"
chn_k "drive", 1, 2, 0.3, 0, 1           ; soft clipping: clean to growling
chnset 0.3, "drive"
chn_k "glide", 1, 2, 0, 0, 0.5           ; seconds: slide from the previous note's pitch (0 = off)
chnset 0, "glide"

giPrevFreq init 0   ; the pitch of the last note played, for the glide

instr 1
  ifreq  = p7
  ivel   = p5 / 127
  ; level: follows velocity, and falls 1.5 dB per octave above C2 so the
  ; sub's weight stays even across the keyboard
  iamp   = 0.4 * ivel ^ 1.3 * ampdb(-0.125 * limit(p4 - 36, -12, 48))
  idecay = chnget:i("decay")

  ; glide: start from the previous note's pitch and slide in "glide" seconds
  ; (exponentially, so the slide is even in pitch). Best played legato, one
  ; note at a time.
  iglide = chnget:i("glide")
  istart = (iglide > 0.001 && giPrevFreq > 0 ? giPrevFreq : ifreq)
  giPrevFreq = ifreq
  kfreq  expseg istart, iglide + 0.0001, ifreq, 1, ifreq   ; the last segment holds the pitch

  ; controls, smoothed against zipper noise
  ksub   port chnget:k("sub"), 0.02, chnget:i("sub")
  kcut   port chnget:k("cutoff"), 0.02, chnget:i("cutoff")
  kenvam port chnget:k("env"), 0.02, chnget:i("env")
  kdrive port chnget:k("drive"), 0.02, chnget:i("drive")

  ; the sub: mostly sine, with a little triangle so it still shows on small speakers
  asub   = poscil(0.8, kfreq) + vco2(0.2, kfreq, 12)

  ; the saw, through a ladder filter opened by a decaying envelope;
  ; harder notes open it further
  asaw   vco2 1, kfreq
  kfenv  expseg 1, idecay, 0.01, 1, 0.01
  kcf    = kcut * 2 ^ (4 * kenvam * kfenv * (0.4 + 0.6 * ivel))
  afilt  moogladder2 asaw, limit(kcf, 30, 18000), 0.3

  ; drive: tanh soft clipping, divided by tanh(0.7 * gain) so the level changes little
  kgain  = 0.5 + 9.5 * kdrive
  amix   = asub * ksub + afilt * 0.6
  adrv   = tanh(amix * kgain) / tanh(0.7 * kgain)

  ; level: a fast attack, a drop to 60 % over "decay" (the punch), short release
  aenv   madsr 0.003, idecay, 0.6, 0.12
  ; remove the DC the ladder and the clipping leave; dcblock with 0.9995 cuts
  ; only below ~4 Hz (dcblock2 at its default order would thin out the sub)
  aout   dcblock adrv * aenv * iamp, 0.9995
  outs aout, aout
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Sub Bass"
author = "Csound Plug"
description = "A deep, punchy bass: sine sub plus a filtered saw with drive; play single notes in the lowest two octaves."
category = "Synths"
tags = ["bass", "sub", "subtractive", "drive"]
</CsoundPlug>
</CsoundSynthesizer>
