<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Saw Lead: three detuned sawtooth oscillators (left, centre, right) through a
; resonant ladder low-pass filter. A delayed vibrato fades in while a note is
; held; the mod wheel adds more, and the pitch bend wheel bends +-2 semitones.
; Host notes arrive as score events: p4 = MIDI key, p5 = velocity (1-127),
; p6 = MIDI channel, p7 = frequency in Hz; each note lasts until its note-off.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "cutoff", 1, 3, 3000, 200, 12000   ; Hz: filter cutoff (it follows the keyboard from C4)
chnset 3000, "cutoff"
chn_k "resonance", 1, 2, 0.3, 0, 0.95    ; filter resonance: smooth to whistling
chnset 0.3, "resonance"
chn_k "vibrato", 1, 2, 0.2, 0, 1         ; semitones of the automatic vibrato (it fades in after 0.3 s)
chnset 0.2, "vibrato"
chn_k "detune", 1, 2, 12, 0, 50          ; cents between the three saws: one thin saw to a wide supersaw
chnset 12, "detune"
chn_k "glide", 1, 2, 0, 0, 0.5           ; seconds: slide from the previous note's pitch (0 = off)
chnset 0, "glide"
chn_k "release", 1, 3, 0.25, 0.01, 3     ; seconds: fade after the note-off
chnset 0.25, "release"

giPrevFreq init 0   ; the pitch of the last note played, for the glide

instr 1
  ifreq  = p7
  ivel   = p5 / 127
  iamp   = 0.47 * ivel ^ 1.2

  ; glide: start from the previous note's pitch and slide in "glide" seconds
  ; (exponentially, i.e. evenly in pitch); the last segment holds the pitch
  iglide = chnget:i("glide")
  istart = (iglide > 0.001 && giPrevFreq > 0 ? giPrevFreq : ifreq)
  giPrevFreq = ifreq
  kglide expseg istart, iglide + 0.0001, ifreq, 1, ifreq

  ; vibrato in semitones: the automatic part waits 0.3 s and fades in over
  ; 0.7 s; the mod wheel (CC1, 0-127) adds up to 0.6 semitone on top
  kauto  linseg 0, 0.3, 0, 0.7, 1
  kvdep  port chnget:k("vibrato"), 0.02, chnget:i("vibrato")
  kmod   port chnget:k("CC1") / 127, 0.02
  kvib   = poscil:k(kauto * kvdep + 0.6 * kmod, 5.5)
  ; pitch bend (-1..1) -> +-2 semitones, smoothed a little
  kbend  port chnget:k("PITCHBEND") * 2, 0.01
  kfreq  = kglide * semitone(kvib + kbend)

  ; three saws, detuned by +-"detune" cents; the outer two go left and right
  kdet   port chnget:k("detune"), 0.02, chnget:i("detune")
  ; random start phases, so the saws of a chord don't all peak together
  ac     vco2 1, kfreq, 0, 0.5, random:i(0, 1)
  al     vco2 1, kfreq * cent(-kdet), 0, 0.5, random:i(0, 1)
  ar     vco2 1, kfreq * cent(kdet),  0, 0.5, random:i(0, 1)

  ; the filter: cutoff follows the keyboard (half an octave per octave from
  ; C4) and opens an extra octave at the attack, more for harder notes
  kcut   port chnget:k("cutoff"), 0.02, chnget:i("cutoff")
  kres   port chnget:k("resonance"), 0.02, chnget:i("resonance")
  kfenv  expseg 1, 0.4, 0.01, 1, 0.01
  kcf    = kcut * (ifreq / 261.6) ^ 0.5 * 2 ^ (kfenv * ivel)
  kcf    limit kcf, 30, 18000
  ; the ladder loses low end as resonance rises: add some back
  kcomp  = 1 + kres
  afl    moogladder2 al * 0.7 + ac * 0.5, kcf, kres
  afr    moogladder2 ar * 0.7 + ac * 0.5, kcf, kres

  aenv   madsr 0.005, 0.3, 0.8, chnget:i("release")
  ; the ladder's saturation leaves a little DC on a sawtooth: dcblock with
  ; 0.9995 removes it while cutting only below ~4 Hz
  aL     dcblock afl * aenv * iamp * kcomp, 0.9995
  aR     dcblock afr * aenv * iamp * kcomp, 0.9995
  outs aL, aR
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Saw Lead"
author = "Csound Plug"
description = "A bright, wide sawtooth lead for melodies: vibrato fades in on long notes, the mod wheel adds more, pitch bend is +-2 semitones."
category = "Synths"
tags = ["lead", "saw", "supersaw", "subtractive", "vibrato"]
</CsoundPlug>
</CsoundSynthesizer>
