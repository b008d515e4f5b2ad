<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Two-Oscillator Synth: the classic subtractive recipe.
;   two oscillators (saw + pulse)  ->  low-pass filter  ->  amplifier
; An ADSR envelope shapes the volume and also sweeps the filter, and
; harder-played notes open the filter further.
;
; Each host note starts instrument 1 as a held event:
;   p4 = MIDI key, p5 = velocity (1-127), p6 = MIDI channel, p7 = frequency in Hz
; and the note-off ends it, so the envelopes use madsr (it has a release stage).

sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; Controls shown in the host: chn_k "name", 1 (input), type, default, min, max
; (type 2 = linear, 3 = exponential). chnset writes the default for plain csound.
chn_k "cutoff", 1, 3, 900, 50, 12000     ; filter cutoff in Hz (before the envelope)
chnset 900, "cutoff"
chn_k "resonance", 1, 2, 0.3, 0, 0.9     ; filter resonance
chnset 0.3, "resonance"
chn_k "attack", 1, 3, 0.005, 0.001, 4    ; envelope times in seconds
chnset 0.005, "attack"
chn_k "decay", 1, 3, 0.6, 0.01, 4
chnset 0.6, "decay"
chn_k "sustain", 1, 2, 0.6, 0, 1         ; sustain level (0-1)
chnset 0.6, "sustain"
chn_k "release", 1, 3, 0.3, 0.01, 5
chnset 0.3, "release"
chn_k "detune", 1, 2, 6, 0, 50           ; spread between the oscillators in cents
chnset 6, "detune"

instr 1
  ifreq = p7                    ; the host gives the note's frequency in p7
  ivel  = p5 / 127              ; velocity 0..1

  ; envelope times are read once, when the note starts
  iatt chnget "attack"
  idec chnget "decay"
  isus chnget "sustain"
  irel chnget "release"

  ; the sound-shaping controls are read continuously and smoothed (no zipper noise)
  kcut    portk chnget:k("cutoff"), 0.02
  kres    portk chnget:k("resonance"), 0.02
  kdetune portk chnget:k("detune"), 0.02

  ; --- oscillators: a band-limited saw and a 30% pulse, detuned apart ---
  ; each one moves half the detune, so together they stay centred on the note;
  ; random start phases keep chord notes from all peaking on the same sample
  asaw   vco2 0.5, ifreq * cent(-kdetune / 2), 0, 0.5, random:i(0, 1)
  apulse vco2 0.35, ifreq * cent(kdetune / 2), 2, 0.3, random:i(0, 1)
  amix   = asaw + apulse

  ; --- envelope: one ADSR for both volume and filter ---
  aenv madsr iatt, idec, isus, irel   ; a-rate, so the attack starts on the first sample
  kenv = k(aenv)

  ; --- filter: the envelope opens it by up to 4 octaves, more for harder notes ---
  kfc    = limit(kcut * 2 ^ (4 * kenv * ivel), 20, 18000)
  afilt  moogladder amix, kfc, kres

  ; --- amplifier: velocity sets the level (curved, so soft notes are softer) ---
  ; (1 + 2 * kres) makes up most of the level a Moog ladder loses as resonance rises
  iamp = 0.58 * ivel ^ 1.5
  ; the pulse wave has a DC offset: dcblock with 0.9995 removes it, cutting only
  ; below ~4 Hz (dcblock2 at its default order would also thin out the bass)
  aout dcblock afilt * aenv * iamp * (1 + 2 * kres), 0.9995
  outs aout, aout
endin

</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Two-Oscillator Synth"
author = "Csound Plug"
description = "A warm saw-and-pulse synth through a Moog-style filter: play basses, leads and chords; velocity opens the filter."
category = "Synths"
tags = ["subtractive", "analog", "bass", "lead"]
knobs = ["cutoff", "resonance", "detune"]
</CsoundPlug>
</CsoundSynthesizer>
