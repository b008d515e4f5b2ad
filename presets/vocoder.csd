<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Vocoder — a 20-band channel vocoder.
; Route a voice (or drums, or any sound) into the plugin's side-chain input
; and play notes: the notes play a saw/pulse synth (the carrier), the side-chain
; (the modulator) is split into 20 bands from 120 Hz to 8 kHz, an envelope
; follower measures how loud each band is, and those loudnesses are imposed on
; the same bands of the carrier. The synth "speaks" with the input's vowels and
; consonants; with no input, or with no notes held, it is silent.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2          ; in the instrument entry this stereo input is the side-chain
0dbfs = 1

; the analysis / band-processing instrument runs all the time
alwayson "Vocoder"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
; type 1 = integer, 2 = linear, 3 = exponential. plain csound reads 0 from an
; unwritten channel, so each default is also written with chnset.
chn_k "formant", 1, 2, 0, -12, 12        ; semitones the carrier bands sit above (+) or below (-) the analysis bands
chnset 0, "formant"
chn_k "attack", 1, 3, 4, 1, 100          ; ms for a band to follow a rise of the input
chnset 4, "attack"
chn_k "release", 1, 3, 60, 10, 500       ; ms for a band to fall back (long = smeared, legato)
chnset 60, "release"
chn_k "bright", 1, 2, 0.5, 0, 1          ; carrier brightness: 0 dark, 0.5 even, 1 bright
chnset 0.5, "bright"
chn_k "noise", 1, 2, 0.25, 0, 1          ; hiss in the carrier, lets "s", "t", "f" through (unvoiced)
chnset 0.25, "noise"
chn_k "level", 1, 2, 0, -24, 12          ; output level, dB
chnset 0, "level"

giBands = 20
giFlo   = 120           ; centre of the lowest band, Hz
giFhi   = 8000          ; centre of the highest band, Hz
giRatio = (giFhi / giFlo) ^ (1 / (giBands - 1))   ; spacing between band centres (~3.8 semitones)

gaCarrier init 0        ; sum of all playing notes (the carrier bus)
gkNotes   init 0        ; sum of the notes' envelopes, to gate the noise

; ---- carrier voice: one per host note (p4 key, p5 velocity, p7 frequency in Hz)
instr 1
  ifreq   = p7 > 0 ? p7 : cpsmidinn(p4)
  ; a saw's energy per band grows with its pitch (fewer, stronger harmonics),
  ; so low notes get more level to come out as loud as high ones
  iamp    = 0.5 * (p5 / 127) ^ 1.5 * limit(sqrt(262 / ifreq), 0.5, 2.5)
  ; held notes (p3 = -1): madsr's release runs after the note-off
  kenv    madsr 0.01, 0.1, 0.9, 0.2
  ; a saw plus a slightly detuned narrow pulse: dense harmonics in every band,
  ; which a vocoder needs to sound intelligible
  asaw    vco2 1, ifreq
  apulse  vco2 1, ifreq * 1.003, 2, 0.3
  gaCarrier += (asaw * 0.6 + apulse * 0.4) * interp(kenv, 0, 1) * iamp
  gkNotes   += kenv
endin

; ---- one band, then recursion for the rest (band 0 is the lowest).
; returns the band's left and right contributions: even bands lean left,
; odd bands lean right, which widens the sound without moving the voice
opcode VocBand, aa, aakkkki
  amod, acar, kratio, katt, krel, ktilt, iband xin
  iratio  = giRatio
  ifc     = giFlo * iratio ^ iband
  ibw     = ifc * (sqrt(iratio) - 1 / sqrt(iratio))     ; bands meet at their edges
  ; analysis: 4th-order band-pass (two 2nd-order in series) and envelope follower
  aband   butterbp amod, ifc, ibw
  aband   butterbp aband, ifc, ibw
  aenv    follow2 aband, katt, krel
  ; the same band of the carrier, moved by the formant shift
  kfc     = limit(ifc * kratio, 40, sr * 0.45)
  kbw     = kfc * (sqrt(iratio) - 1 / sqrt(iratio))
  acb     butterbp acar, kfc, kbw
  acb     butterbp acb, kfc, kbw
  ; brightness tilt: each octave up is ktilt x 6 dB louder (relative to 1 kHz)
  kgain   = (kfc / 1000) ^ ktilt
  aout    = acb * aenv * kgain
  aL      = aout * (iband % 2 == 0 ? 1 : 0.6)
  aR      = aout * (iband % 2 == 0 ? 0.6 : 1)
  if iband < giBands - 1 then
    aL2, aR2 VocBand amod, acar, kratio, katt, krel, ktilt, iband + 1
    aL += aL2
    aR += aR2
  endif
  xout aL, aR
endop

instr Vocoder
  ; ---- controls
  kratio  = port(2 ^ (limit(chnget:k("formant"), -12, 12) / 12), 0.05, 2 ^ (limit(chnget:i("formant"), -12, 12) / 12))
  katt    = limit(chnget:k("attack"), 1, 100) * 0.001
  krel    = limit(chnget:k("release"), 10, 500) * 0.001
  ; tilt exponent -0.5 .. 1.5; 0.5 (+3 dB/octave) makes the saw carrier even.
  ; smoothed before mapping, and the level as a gain factor: port treats a
  ; negative start value as "skip initialisation" and would glide from 0
  ktilt   = port(limit(chnget:k("bright"), 0, 1), 0.02, limit(chnget:i("bright"), 0, 1)) * 2 - 0.5
  knoise  = port(limit(chnget:k("noise"), 0, 1), 0.02, limit(chnget:i("noise"), 0, 1))
  kvol    = port(ampdb(limit(chnget:k("level"), -24, 12)), 0.02, ampdb(limit(chnget:i("level"), -24, 12)))

  ; ---- modulator: the side-chain, summed to mono. the -240 dB noise floor keeps
  ; filters and followers from decaying into denormals during long silences
  asideL, asideR ins
  amod    = (asideL + asideR) * 0.5 + noise(1e-12, 0)

  ; ---- carrier: the notes, plus high-passed noise for the unvoiced sounds,
  ; gated by the notes so nothing sounds without a key held
  anoise  = butterhp(noise(1, 0), 2500) * knoise * 0.25 * min(gkNotes, 1)
  acar    = gaCarrier + anoise + noise(1e-12, 0)
  gaCarrier = 0               ; clear the bus for the next block
  gkNotes   = 0

  ; the tilt changes the overall loudness (dark boosts the many low bands,
  ; bright and a high formant shift boost the top); knorm undoes that, assuming
  ; roughly equal energy per band when even
  ksum    = 0
  ki      = 0
  while ki < giBands do
    ksum  += (giFlo * giRatio ^ ki * kratio / 1000) ^ (2 * (ktilt - 0.5))
    ki    += 1
  od
  knorm   = sqrt(giBands / ksum)

  aL, aR  VocBand amod, acar, kratio, katt, krel, ktilt, 0
  ; make-up gain (band-passing and enveloping lose a lot of level), then a
  ; soft saturator as a safety net for big chords on loud input
  again   = interp(kvol * 70 * knorm, 0, 1)
  outs tanh(aL * again), tanh(aR * again)
endin
</CsInstruments>
<CsScore>
; empty: the notes come from the host, the vocoder runs by alwayson
</CsScore>
<CsoundPlug>
name = "Vocoder"
author = "Csound Plug"
description = "Classic 20-band robot-voice vocoder: feed a voice or drum loop into the side-chain and play chords to make the synth talk."
category = "Effects"
tags = ["vocoder", "side-chain", "voice", "robot"]
</CsoundPlug>
</CsoundSynthesizer>
