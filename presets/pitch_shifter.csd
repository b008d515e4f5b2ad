<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Pitch Shifter — a spectral (phase vocoder) pitch shifter / harmonizer.
; Each channel is analysed into 1024-point spectra, every frequency is scaled
; by 2 ^ (semitones/12 + cents/1200) with pvscale, and the result is
; resynthesised. The shifted voice can be delayed, and fed back into the
; shifter: each repeat is shifted again, so echoes climb (or fall) in pitch.
; The shifted signal lags the dry by about 1570 samples (33 ms): the price of
; a spectral analysis (smaller FFTs would lag less but smear low notes).
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; an effect: no host note may start an instrument, the processor always runs
massign 0, 0
alwayson "PitchShifter"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
; type 1 = integer, 2 = linear, 3 = exponential. plain csound reads 0 from an
; unwritten channel, so each default is also written with chnset.
chn_k "semitones", 1, 1, 12, -24, 24     ; shift in semitones
chnset 12, "semitones"
chn_k "cents", 1, 2, 0, -100, 100        ; fine shift (a few cents against the dry = chorus-like doubling)
chnset 0, "cents"
chn_k "formant", 1, 1, 0, 0, 1           ; 1 = keep the formants (voices stay natural, no chipmunk)
chnset 0, "formant"
chn_k "mix", 1, 2, 0.5, 0, 1             ; 0 = dry only, 1 = shifted only
chnset 0.5, "mix"
chn_k "delay", 1, 2, 0, 0, 1000          ; ms before the shifted voice is heard
chnset 0, "delay"
chn_k "feedback", 1, 2, 0, 0, 0.9        ; how much of the delayed voice is shifted again
chnset 0, "feedback"

; One channel: shifter inside a feedback delay loop.
opcode ShiftChannel, a, akkkk
  ain, kratio, kform, kdel, kfb xin
  ifft    = 1024
  ihop    = 256                               ; 4x overlap
  ilat    = (ifft + 2 * ihop) / sr            ; analysis + resynthesis latency
  abuf    delayr 2.1                          ; delay line for the shifted voice
  atap    deltapi kdel                        ; read "delay" seconds back
  ; feedback: the delayed voice goes back into the shifter; the soft clipper
  ; caps what returns at 0.5, so repeats can never run away
  asend   = ain + 0.5 * tanh(2 * atap * kfb)
  fan     pvsanal asend, ifft, ihop, ifft, 1  ; 1 = Hann window: best for pvscale
  fsh     pvscale fan, kratio, kform          ; kform 1 = cepstral formant preservation
  ash     pvsynth fsh
  ; loudness match: moving partials loses a few dB (partials landing in the
  ; same bin merge) and formant keeping can add 10 dB on a voice. so the shifted
  ; signal is scaled to the RMS of what went in (delayed by the latency to line
  ; up), by -12 to +8 dB. this also keeps every feedback pass at the loop gain kfb.
  aref    delay asend, ilat
  kg      = limit(rms(aref, 8) / (rms(ash, 8) + 1e-5), 0.25, 2.5)
  kg      port kg, 0.05, 1
  ash     = ash * interp(kg, 0, 1)
          delayw ash
  xout atap
endop

; Safety limiter: untouched below 0.5 (-6 dBFS), above it the excess is bent
; by tanh so the output can approach but never reach 1 (extreme feedback with
; formant keeping piles up repeats).
opcode SoftLimit, a, a
  ax      xin
  aabs    = abs(ax)
  aover   = limit(aabs - 0.5, 0, 1e6)          ; the part above 0.5, or 0
  xout ax * (aabs - aover + 0.5 * tanh(2 * aover)) / (aabs + 1e-9)
endop

instr PitchShifter
  ; ---- controls
  ksemi   = limit(chnget:k("semitones"), -24, 24)
  kcents  = limit(chnget:k("cents"), -100, 100)
  ; port: a glide of 50 ms when the interval changes instead of a jump
  kratio  = port(2 ^ (ksemi / 12 + kcents / 1200), 0.05, 2 ^ (limit(chnget:i("semitones"), -24, 24) / 12 + limit(chnget:i("cents"), -100, 100) / 1200))
  kform   = chnget:k("formant") >= 0.5 ? 1 : 0
  kmix    = port(limit(chnget:k("mix"), 0, 1), 0.02, limit(chnget:i("mix"), 0, 1))
  ; the delay time glides (tape-like) instead of jumping; at least one block
  kdel    = port(limit(chnget:k("delay"), 0, 1000) * 0.001, 0.1, limit(chnget:i("delay"), 0, 1000) * 0.001)
  kdel    = max(kdel, ksmps / sr)
  kfb     = port(limit(chnget:k("feedback"), 0, 0.9), 0.02, limit(chnget:i("feedback"), 0, 0.9))

  ainL, ainR ins
  awetL   ShiftChannel ainL, kratio, kform, kdel, kfb
  awetR   ShiftChannel ainR, kratio, kform, kdel, kfb
  awetL   SoftLimit awetL
  awetR   SoftLimit awetR
  ; equal-power crossfade: at mix 0.5 both voices are at -3 dB, so the sum of
  ; two different pitches keeps the loudness of the input
  adry    = interp(cos(kmix * $M_PI_2), 0, 1)
  awet    = interp(sin(kmix * $M_PI_2), 0, 1)
  outs ainL * adry + awetL * awet, ainR * adry + awetR * awet
endin
</CsInstruments>
<CsScore>
; empty: the processor is started by alwayson
</CsScore>
<CsoundPlug>
name = "Pitch Shifter"
author = "Csound Plug"
description = "Harmonizer that adds a copy of the sound up to two octaves higher or lower, with formant keeping for voices and a pitch-climbing echo."
category = "Effects"
tags = ["pitch", "harmonizer", "octaver", "spectral"]
</CsoundPlug>
</CsoundSynthesizer>
