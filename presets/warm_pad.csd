<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Warm Pad: five detuned sawtooth waves per note, spread across the stereo
; field, through slowly moving low-pass filters.
; The saws drift in and out of phase with each other (the "chorus" of a
; detuned unison); each side of the stereo image has its own slow filter
; sweep, so held chords keep breathing. Slow attack, long release.
;
; Host notes: p4 = MIDI key, p5 = velocity, p6 = channel, p7 = frequency in Hz.

sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "attack", 1, 3, 0.8, 0.005, 8       ; fade-in time in seconds
chnset 0.8, "attack"
chn_k "release", 1, 3, 2.5, 0.05, 10      ; fade-out time after note-off
chnset 2.5, "release"
chn_k "brightness", 1, 3, 1500, 200, 10000 ; filter cutoff in Hz (at middle C)
chnset 1500, "brightness"
chn_k "detune", 1, 2, 10, 0, 40           ; spread of the five saws in cents (each way)
chnset 10, "detune"
chn_k "width", 1, 2, 0.7, 0, 1            ; stereo spread of the saws (0 = mono)
chnset 0.7, "width"
chn_k "motion", 1, 2, 0.4, 0, 1           ; depth of the slow filter movement
chnset 0.4, "motion"

giSine ftgen 0, 0, 4096, 10, 1

instr 1
  ifreq = p7
  ivel  = p5 / 127
  iatt  chnget "attack"
  irel  chnget "release"

  kdet    portk chnget:k("detune"), 0.02
  kwidth  portk chnget:k("width"), 0.02
  kbright portk chnget:k("brightness"), 0.02
  kmotion portk chnget:k("motion"), 0.02

  ; --- five saws, spread evenly from -detune to +detune cents ---
  ; the middle one sits exactly on the note and is the loudest, so the pitch
  ; stays centred; random start phases make every note start differently
  a1 vco2 0.55, ifreq * cent(-kdet),     0, 0.5, random:i(0, 1)
  a2 vco2 0.75, ifreq * cent(-kdet / 2), 0, 0.5, random:i(0, 1)
  a3 vco2 1,    ifreq,                   0, 0.5, random:i(0, 1)
  a4 vco2 0.75, ifreq * cent(kdet / 2),  0, 0.5, random:i(0, 1)
  a5 vco2 0.55, ifreq * cent(kdet),      0, 0.5, random:i(0, 1)

  ; --- stereo: pan2 places each saw (0 = left, 1 = right); width scales the
  ; spread, the flattest saws go left and the sharpest right ---
  a1L, a1R pan2 a1, 0.5 - 0.5 * kwidth
  a2L, a2R pan2 a2, 0.5 - 0.25 * kwidth
  a3L, a3R pan2 a3, 0.5
  a4L, a4R pan2 a4, 0.5 + 0.25 * kwidth
  a5L, a5R pan2 a5, 0.5 + 0.5 * kwidth
  aL = a1L + a2L + a3L + a4L + a5L
  aR = a1R + a2R + a3R + a4R + a5R

  ; --- filters: cutoff follows the keyboard a little (higher notes brighter)
  ; and sweeps slowly up and down. Every note starts its sweep at a random
  ; point; the right side runs up to a quarter-cycle behind the left (more
  ; with more width, none at width 0, so a narrow pad stays mono) ---
  iphase = random:i(0, 1)
  klfoL  poscil 1, 0.09, giSine, iphase
  klfo90 poscil 1, 0.09, giSine, frac(iphase + 0.25)
  klfoR  = klfoL + kwidth * (klfo90 - klfoL)
  kcut   = kbright * sqrt(ifreq / 261.6)
  kcutL  = limit(kcut * 2 ^ (1.5 * kmotion * klfoL), 30, 18000)
  kcutR  = limit(kcut * 2 ^ (1.5 * kmotion * klfoR), 30, 18000)
  afiltL moogladder aL, kcutL, 0.15
  afiltR moogladder aR, kcutR, 0.15

  ; --- amplifier: slow ADSR, velocity sets the level gently ---
  aenv madsr iatt, 0.5, 0.85, irel
  iamp = 0.35 * (0.3 + 0.7 * ivel)
  ; the ladder filters' saturation leaves a little DC: dcblock (0.9995) removes
  ; it, cutting only below ~4 Hz
  outs dcblock(afiltL * aenv * iamp, 0.9995), dcblock(afiltR * aenv * iamp, 0.9995)
endin

</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Warm Pad"
author = "Csound Plug"
description = "A lush detuned-saw pad with slow attack, wide stereo and gently moving filters: hold long chords under a song."
category = "Synths"
tags = ["pad", "analog", "ambient", "chords"]
</CsoundPlug>
</CsoundSynthesizer>
