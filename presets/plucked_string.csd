<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Plucked String: a Karplus-Strong physical model of a plucked string.
; A short burst of noise (the pluck) is fed into a delay line one period long
; (the string). Each trip round the loop the sound passes a gentle low-pass
; filter (an average of two neighbouring samples), so the high harmonics die
; first, just as on a real string. The string then drives a few resonant
; filters that imitate a wooden body.
;
; Host notes: p4 = MIDI key, p5 = velocity, p6 = channel, p7 = frequency in Hz.

sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "position", 1, 2, 0.15, 0.03, 0.5   ; pluck point along the string (0.5 = middle: round, hollow)
chnset 0.15, "position"
chn_k "brightness", 1, 2, 0.35, 0, 1      ; 0 = dull nylon, 1 = bright steel
chnset 0.35, "brightness"
chn_k "decay", 1, 3, 4, 0.3, 20           ; seconds for the fundamental to fade by 60 dB
chnset 4, "decay"
chn_k "body", 1, 2, 0.5, 0, 1             ; amount of wooden body resonance
chnset 0.5, "body"
chn_k "release", 1, 3, 0.15, 0.02, 3      ; how fast the string is muted at note-off
chnset 0.15, "release"

; The string loop. It runs in one-sample blocks (setksmps 1), because a delay
; line that feeds itself cannot be shorter than one block, and high notes need
; loops of only a few samples.
opcode StringLoop, a, aiik
  ain, idel, is, kgain xin
  setksmps 1
  abuf  delayr 0.2                ; room for the lowest MIDI note (8 Hz)
  atap  deltap3 idel              ; fractional (cubic) tap: exact tuning
  ; the string's losses: blend each sample with the one before (is = 0.5 is the
  ; classic Karplus-Strong average, smaller is brighter); highs fade faster
  afilt = (1 - is) * atap + is * delay1(atap)
        denorm afilt              ; keep very quiet tails out of denormal numbers
        delayw ain + afilt * kgain
  xout atap
endop

instr 1
  ifreq   = p7
  ivel    = p5 / 127
  ipos    chnget "position"
  ibright chnget "brightness"
  idecay  chnget "decay"
  irel    chnget "release"

  ; --- the loop filter and its effect on pitch and decay ---
  ; the filter y = (1 - is) * x[n] + is * x[n-1] delays the fundamental a little
  ; (ifdel samples) and takes a little level off each trip (ifgain): both are
  ; compensated so the note is in tune and fades in exactly idecay seconds.
  ; (above E4 the filter is made gentler, or high notes could not ring for long)
  is     = (0.5 - 0.48 * ibright) * min(1, 330 / ifreq)
  iw     = 2 * $M_PI * ifreq / sr
  ifdel  = taninv2(is * sin(iw), 1 - is + is * cos(iw)) / iw
  ifgain = sqrt((1 - is) ^ 2 + is ^ 2 + 2 * is * (1 - is) * cos(iw))
  idel   = (sr / ifreq - ifdel) / sr                       ; loop delay in seconds
  ; gain per trip for a 60 dB fade in idecay s (and in irel s once released)
  igain  = min(10 ^ (-3 / (ifreq * idecay)) / ifgain, 0.99999)
  imute  = min(10 ^ (-3 / (ifreq * irel)) / ifgain, 0.99999)
  kgain  = (release() == 1 ? imute : igain)

  ; --- the pluck: one period of noise, low-passed twice (12 dB/octave, like
  ; the spectrum of a real pluck) above a harmonic that rises with velocity
  ; and brightness ---
  ; subtracting a delayed copy cancels the harmonics that have a node at the
  ; pluck point (plucking at 1/2 removes the even harmonics, for example)
  iper   = 1 / ifreq
  aburst linseg 1, iper, 1, 0, 0
  anoise rand 1, random:i(0, 1)     ; a new seed per note: no two plucks alike
  iexc   = min(ifreq * (3 + 30 * ivel ^ 2 * (0.3 + 0.7 * ibright)), 12000)
  aexc   tone tone(anoise * aburst, iexc), iexc
  ; level corrections: a brighter pluck has more harmonics, sqrt(10 * ifreq / iexc)
  ; keeps its energy the same; a low note's burst spreads over a longer loop,
  ; sqrt(260 / ifreq) evens that out across the keyboard (at most 1.6x: the
  ; body resonances already add weight to the bass)
  aexc   = aexc * sqrt(10 * ifreq / iexc) * min(sqrt(260 / ifreq), 1.6)
  aexc   = aexc - delay(aexc, ipos * iper)

  astring StringLoop aexc, idel, is, kgain

  ; --- the body: a few resonances of a wooden soundbox, slightly different
  ; left and right for width ---
  ibody  chnget "body"
  abodyL = resonz(astring, 105, 25, 1) + 0.8 * resonz(astring, 230, 50, 1) + 0.6 * resonz(astring, 420, 90, 1)
  abodyR = resonz(astring, 112, 25, 1) + 0.8 * resonz(astring, 215, 50, 1) + 0.6 * resonz(astring, 445, 90, 1)

  ; fade out after the mute (the string loop does most of the muting)
  aenv   linsegr 1, 1, 1, irel, 0
  iamp   = 0.7 * ivel ^ 1.2
  aL     = (astring * (1 - 0.3 * ibody) + ibody * 3 * abodyL) * aenv * iamp
  aR     = (astring * (1 - 0.3 * ibody) + ibody * 3 * abodyR) * aenv * iamp
  outs dcblock(aL, 0.9995), dcblock(aR, 0.9995)
endin

</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Plucked String"
author = "Csound Plug"
description = "A physically modelled plucked string with a wooden body: play guitar-like lines and arpeggios; set where you pluck and how bright the string is."
category = "Synths"
tags = ["physical model", "pluck", "guitar", "karplus-strong"]
</CsoundPlug>
</CsoundSynthesizer>
