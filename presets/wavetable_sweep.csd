<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Wavetable Sweep: a synth that morphs smoothly through four waveforms,
; from dark to bright:
;   position 0 = sine, 1/3 = square, 2/3 = saw, 1 = thin pulse (nasal and buzzy)
; Each note starts at (position + sweep) and glides back to position over about
; two seconds, while an LFO keeps the waveform moving; a low-pass filter and an
; ADSR finish the sound.
;
; Host notes: p4 = MIDI key, p5 = velocity, p6 = channel, p7 = frequency in Hz.

sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

chn_k "position", 1, 2, 0.25, 0, 1     ; where in the four waveforms the note rests
chnset 0.25, "position"
chn_k "sweep", 1, 2, 0.6, -1, 1        ; how far the position starts away (the envelope amount)
chnset 0.6, "sweep"
chn_k "lfo_rate", 1, 3, 0.4, 0.05, 10  ; LFO speed in Hz
chnset 0.4, "lfo_rate"
chn_k "lfo_depth", 1, 2, 0.12, 0, 0.5  ; how far the LFO moves the position
chnset 0.12, "lfo_depth"
chn_k "cutoff", 1, 3, 5000, 200, 16000 ; low-pass filter cutoff in Hz
chnset 5000, "cutoff"
chn_k "release", 1, 3, 0.8, 0.01, 6    ; release time in seconds
chnset 0.8, "release"

; The four source waveforms (8192 points, a power of two for GEN30 below).
giSine   ftgen 0, 0, 8192, 10, 1                                    ; sine
giSquare ftgen 0, 0, 8192, 7, 1, 4096, 1, 0, -1, 4096, -1           ; square
giSaw    ftgen 0, 0, 8192, 7, 0, 4096, 1, 0, -1, 4096, 0            ; sawtooth
giPulse  ftgen 0, 0, 8192, 7, 0, 3584, 0, 0, 1, 1024, 1, 0, 0, 3584, 0  ; 1/8 pulse
giLFO    ftgen 0, 0, 4096, 10, 1

instr 1
  ifreq = p7
  ivel  = p5 / 127
  irel  chnget "release"

  ; --- band-limited copies of the waves for this note ---
  ; GEN30 keeps only the harmonics below about 20 kHz (sr * 0.42) at this pitch,
  ; so high notes do not alias. ftgentmp tables are freed when the note ends.
  imaxh = max(1, int(sr * 0.42 / ifreq))
  iT0 ftgentmp 0, 0, 8192, 30, giSine,   1, imaxh
  iT1 ftgentmp 0, 0, 8192, 30, giSquare, 1, imaxh
  iT2 ftgentmp 0, 0, 8192, 30, giSaw,    1, imaxh
  iT3 ftgentmp 0, 0, 8192, 30, giPulse,  1, imaxh

  ; --- the position: resting point + envelope sweep + LFO ---
  kposition portk chnget:k("position"), 0.02
  ksweep    portk chnget:k("sweep"), 0.02
  krate     portk chnget:k("lfo_rate"), 0.02
  kdepth    portk chnget:k("lfo_depth"), 0.02
  kenv      transeg 1, 2, -3, 0         ; falls from 1 to 0 in 2 s, fast at first
  klfo      poscil 1, krate, giLFO
  kpos      = limit(kposition + ksweep * kenv + kdepth * klfo, 0, 1)

  ; --- four table readers sharing one phase, crossfaded by the position ---
  ; sharing the phase keeps the waves aligned, so the crossfade never cancels.
  ; (A random start phase keeps chord notes from all peaking at once.)
  ; Each wave's weight is a triangle: 1 at its own spot, 0 one step away; the
  ; extra factors even out loudness (the tables all peak at 1, but the saw and
  ; the thin pulse carry less energy than the sine and square).
  aphs phasor ifreq, random:i(0, 1)
  apos = interp(kpos) * 3               ; 0..3, audio-rate so the morph is smooth
  aw0  = limit(1 - abs(apos - 0), 0, 1)
  aw1  = limit(1 - abs(apos - 1), 0, 1) * 0.85
  aw2  = limit(1 - abs(apos - 2), 0, 1) * 1.25
  aw3  = limit(1 - abs(apos - 3), 0, 1) * 1.5
  awave = aw0 * tablei:a(aphs, iT0, 1, 0, 1) + aw1 * tablei:a(aphs, iT1, 1, 0, 1) \
        + aw2 * tablei:a(aphs, iT2, 1, 0, 1) + aw3 * tablei:a(aphs, iT3, 1, 0, 1)

  ; --- filter: harder notes open it a little more ---
  kcut  portk chnget:k("cutoff"), 0.02
  afilt moogladder awave, limit(kcut * (0.6 + 0.6 * ivel), 20, 18000), 0.2

  ; --- amplifier ---
  aenv madsr 0.01, 0.3, 0.8, irel
  ; the filter's saturation can add a little DC: dcblock (0.9995) removes it,
  ; cutting only below ~4 Hz
  aout dcblock afilt * aenv * 0.6 * ivel ^ 1.5, 0.9995
  outs aout, aout
endin

</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Wavetable Sweep"
author = "Csound Plug"
description = "A wavetable synth whose notes glide through sine, square, saw and vocal waves: try slow chords and let the LFO move the tone."
category = "Synths"
tags = ["wavetable", "morph", "lead", "pad"]
</CsoundPlug>
</CsoundSynthesizer>
