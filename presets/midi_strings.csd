<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; MIDI Strings: a string ensemble played through Csound's own MIDI system.
; Each note is three sawtooth "players", slightly out of tune with each other
; and drifting slowly, spread across the stereo field, through a soft
; low-pass filter and a little body resonance.
; MIDI: pitch bend +-2 semitones, mod wheel (CC1) vibrato, CC74 brightness,
; channel aftertouch swells the sound (louder and brighter).
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "attack", 1, 3, 0.3, 0.005, 3      ; seconds: bow in slowly or start at once
chnset 0.3, "attack"
chn_k "release", 1, 3, 0.8, 0.05, 5      ; seconds: fade after the key is let go
chnset 0.8, "release"
chn_k "brightness", 1, 3, 3500, 500, 12000  ; Hz: filter cutoff (CC74 moves it +-2 octaves)
chnset 3500, "brightness"
chn_k "ensemble", 1, 2, 0.5, 0, 1        ; detuning and drift between the players: solo to lush section
chnset 0.5, "ensemble"

; every MIDI channel plays instr 1 (massign also resets the controllers)
massign 0, 1
; CC74 starts in its middle (64) on all channels, so it does nothing until moved
ichn = 1
while ichn <= 16 do
  initc7 ichn, 74, 0.5
  ichn += 1
od

gkAftSeen init 0   ; 1 once real aftertouch has arrived (see below)

instr 1
  ifreq  cpsmidi                 ; the note's pitch, Hz
  ivel   veloc 0, 1
  ichn   midichn
  iamp   = 0.18 * (0.3 + 0.7 * ivel ^ 1.5)   ; strings: velocity matters, but not too much

  ; MIDI controllers of this note's channel
  kbend  pchbend 0, 2            ; semitones, -2..2 (pchbend gives imin + bend * (imax - imin), bend -1..1)
  kmod   ctrl7 ichn, 1, 0, 1     ; mod wheel
  kcc74  ctrl7 ichn, 74, -2, 2   ; octaves of brightness
  kaft   aftouch 0, 1            ; pressure after the key is down
  ; Csound starts each channel's aftertouch at 127 (full pressure): ignore
  ; that until an aftertouch message has shown a real value (below 127)
  if kaft < 1 then
    gkAftSeen = 1
  endif
  kaft   *= gkAftSeen
  kmod   port kmod, 0.05
  kcc74  port kcc74, 0.05
  kaft   port kaft, 0.1

  ; vibrato: the mod wheel brings in up to +-0.35 semitone at about 5.3 Hz
  kvib   = kmod * 0.35 * poscil:k(1, 5.3 + random:i(-0.3, 0.3), -1, random:i(0, 1))
  kpitch = ifreq * semitone(kbend + kvib)

  ; three players, detuned by up to +-14 cents and each drifting a few cents
  kens   port chnget:k("ensemble"), 0.02, chnget:i("ensemble")
  kdet   = kens * 14
  kdr1   randi kens * 4, 0.7, random:i(0, 1)
  kdr2   randi kens * 4, 0.9, random:i(0, 1)
  kdr3   randi kens * 4, 1.1, random:i(0, 1)
  ; random start phases keep the saws of a chord from peaking together
  a1     vco2 1, kpitch * cent(-kdet + kdr1), 0, 0.5, random:i(0, 1)
  a2     vco2 1, kpitch * cent(kdr2), 0, 0.5, random:i(0, 1)
  a3     vco2 1, kpitch * cent(kdet + kdr3), 0, 0.5, random:i(0, 1)
  ; players 1 and 3 to the sides, as wide as the ensemble is lush
  kw     = 0.5 + 0.4 * kens
  aL     = a1 * kw + a2 * 0.7 + a3 * (1 - kw)
  aR     = a3 * kw + a2 * 0.7 + a1 * (1 - kw)

  ; brightness: the control, CC74 and aftertouch; a bit brighter for loud notes
  kbri   port chnget:k("brightness"), 0.02, chnget:i("brightness")
  ; at most 0.3 sr: the second filter runs at 1.5 times this, and a Butterworth
  ; low-pass set above half the sample rate blows up
  kcut   = limit(kbri * 2 ^ (kcc74 + kaft + 0.5 * ivel - 0.5), 100, sr * 0.3)
  aL     butterlp aL, kcut
  aR     butterlp aR, kcut
  aL     butterlp aL, kcut * 1.5
  aR     butterlp aR, kcut * 1.5
  ; body resonances around 280 Hz and 2.8 kHz, a dip at 1.2 kHz (less nasal)
  aL     pareq pareq(pareq(aL, 280, 1.6, 1.2), 1200, 0.7, 1), 2800, 1.4, 1.5
  aR     pareq pareq(pareq(aR, 280, 1.6, 1.2), 1200, 0.7, 1), 2800, 1.4, 1.5

  ; envelope (madsr releases on the MIDI note-off); aftertouch adds up to +4 dB
  aenv   madsr chnget:i("attack"), 0.2, 0.9, chnget:i("release")
  kswell = 1 + 0.6 * kaft
  outs aL * aenv * iamp * kswell, aR * aenv * iamp * kswell
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "MIDI Strings"
author = "Csound Plug"
description = "A lush string ensemble for pads and chords: mod wheel adds vibrato, CC74 sets brightness, aftertouch swells it, pitch bend is +-2 semitones."
category = "MIDI-Controlled"
tags = ["strings", "ensemble", "pad", "midi", "aftertouch"]

[midi]
mode = "native"
</CsoundPlug>
</CsoundSynthesizer>
