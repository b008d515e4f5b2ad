<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Spectral Freeze & Blur — phase-vocoder processing of each channel:
;   analysis (2048-point FFT, a new frame every 512 samples)
;   -> freeze: hold the current spectrum as an endless drone
;   -> blur: average each bin over the last "blur" seconds (smears attacks into pads)
;   -> smooth: slow down how fast amplitudes and frequencies may change
;   -> shift: move every partial up or down by a fixed number of Hz (inharmonic, metallic)
;   -> resynthesis, mixed with the dry signal
; The processed signal lags the dry by about 3200 samples (66 ms) plus
; the blur time: fine for pads and textures.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; an effect: no host note may start an instrument, the processor always runs
massign 0, 0
alwayson "SpectralFreeze"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
; type 1 = integer, 2 = linear, 3 = exponential. plain csound reads 0 from an
; unwritten channel, so each default is also written with chnset.
chn_k "blur", 1, 2, 0.3, 0, 2            ; seconds of spectral averaging
chnset 0.3, "blur"
chn_k "freeze", 1, 1, 0, 0, 1            ; 1 = hold the spectrum (waits for sound if engaged in silence)
chnset 0, "freeze"
chn_k "smooth", 1, 2, 0, 0, 1            ; 0 = off .. 1 = very slow, gliding partials
chnset 0, "smooth"
chn_k "shift", 1, 2, 0, -1000, 1000      ; Hz added to every partial
chnset 0, "shift"
chn_k "mix", 1, 2, 0.5, 0, 1             ; 0 = dry only, 1 = processed only
chnset 0.5, "mix"

; One channel of the spectral chain.
opcode SpectralChannel, a, akkkk
  ain, kfreeze, kblur, ksmooth, kshift xin
  ifft    = 2048
  ihop    = 512
  fan     pvsanal ain, ifft, ihop, ifft, 1     ; Hann window
  ffr     pvsfreeze fan, kfreeze, kfreeze      ; hold amplitudes and frequencies while kfreeze = 1
  fbl     pvsblur ffr, kblur, 2.1              ; 2.1 s of frames kept for the averaging
  fsm     pvsmooth fbl, ksmooth, ksmooth       ; lowpass cutoffs for the bin tracks (1 = no smoothing)
  fsh     pvshift fsm, kshift, 0               ; shift everything above 0 Hz
  aout    pvsynth fsh
  xout aout
endop

instr SpectralFreeze
  ; ---- controls
  kblur   = port(limit(chnget:k("blur"), 0, 2), 0.05, limit(chnget:i("blur"), 0, 2))
  ksm     = limit(chnget:k("smooth"), 0, 1)
  ; smoothing cutoff as a fraction of half the frame rate: 1 (none) .. 0.01 (very slow)
  ksmooth = port(0.01 ^ ksm, 0.05, 0.01 ^ limit(chnget:i("smooth"), 0, 1))
  ; sc_lag, not port: port treats a negative start value as "skip
  ; initialisation" and would glide in from 0 Hz (lag time = time to settle)
  kshift  = sc_lag(limit(chnget:k("shift"), -1000, 1000), 0.25, limit(chnget:i("shift"), -1000, 1000))
  kmix    = port(limit(chnget:k("mix"), 0, 1), 0.02, limit(chnget:i("mix"), 0, 1))
  kon     = chnget:k("freeze") >= 0.5 ? 1 : 0

  ainL, ainR ins

  ; ---- freeze latch: holding a spectrum of silence would be useless, so when
  ; freeze is switched on it waits until the input has been sounding (above
  ; -50 dBFS) for 60 ms, then holds that spectrum until freeze is switched off
  klevel  = dbamp(rms((ainL + ainR) * 0.5, 20) + 1e-9)
  khold   init 0
  kcount  init 0
  if kon == 0 then
    khold  = 0
    kcount = 0
  elseif khold == 0 then
    kcount = klevel > -50 ? kcount + 1 : 0
    khold  = kcount >= 0.06 * kr ? 1 : 0
  endif

  awetL   SpectralChannel ainL, khold, kblur, ksmooth, kshift
  awetR   SpectralChannel ainR, khold, kblur, ksmooth, kshift
  ; averaging smears short sounds over a longer time, so they get quieter
  ; (about 7 dB for 1 s of blur on staccato notes); give part of it back, at
  ; most 6 dB so sustained sounds do not jump up
  kmake   = ampdb(min(6, 4.2 * kblur ^ 0.3 + 4 * ksm))
  amake   = interp(kmake, 0, 1)
  awetL   = awetL * amake
  awetR   = awetR * amake
  ; equal-power crossfade (the blurred signal is unlike the dry, so their powers add)
  adry    = interp(cos(kmix * $M_PI_2), 0, 1)
  awet    = interp(sin(kmix * $M_PI_2), 0, 1)
  outs ainL * adry + awetL * awet, ainR * adry + awetR * awet
endin
</CsInstruments>
<CsScore>
; empty: the processor is started by alwayson
</CsScore>
<CsoundPlug>
name = "Spectral Freeze & Blur"
author = "Csound Plug"
description = "Smears any sound into a shimmering pad and freezes it into an endless drone at the press of a switch; try it on chords, vocals or noise."
category = "Effects"
tags = ["spectral", "freeze", "blur", "ambient", "drone"]
</CsoundPlug>
</CsoundSynthesizer>
