<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Level Meter - passes the audio through untouched and measures it.
; Output channels (for the host's meters), all updated every k-cycle:
;   peak_l, peak_r  sample peak in dBFS, held for "hold" seconds, then falling
;                   at "fall" dB per second (never below the current peak)
;   rms_l, rms_r    RMS over the last 300 ms in dBFS (a full-scale sine
;                   reads -3 dBFS)
;   lufs_m          momentary loudness in LUFS (ITU-R BS.1770 / EBU R 128:
;                   K-weighted mean square of both channels over the last 400 ms)
; Silence reads -120.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; Host parameters: chn_k "name", 1 (input), type (1 int, 2 lin, 3 exp), default, min, max.
; The chnset after each one writes the default for plain csound (the plugin does it itself).
chn_k "hold", 1, 2, 1.5, 0, 10      ; seconds the peak readout stays at a new peak
chnset 1.5, "hold"
chn_k "fall", 1, 3, 20, 1, 100      ; dB per second the peak readout falls after that
chnset 20, "fall"
; Output channels (mode 2): written here, read by the host.
chn_k "peak_l", 2, 2, -60, -60, 6   ; dBFS (type, default, min, max: the editor's meter range)
chn_k "peak_r", 2, 2, -60, -60, 6
chn_k "rms_l", 2, 2, -60, -60, 6
chn_k "rms_r", 2, 2, -60, -60, 6
chn_k "lufs_m", 2, 2, -60, -60, 6

massign 0, 0            ; an effect: host notes must not start any instrument
alwayson "Meter"

; dB of a power (mean square) value, -120 for silence
opcode PowDB, k, k
  kpow xin
  xout 10 * log10(max(kpow, 1e-12))
endop

; Peak hold: jump up to a new peak, hold it for khold seconds, then fall at
; kfall dB/s, but never below the peak of the current block.
opcode PeakHold, k, kkk
  kpeak, khold, kfall xin
  kdb    = 20 * log10(max(kpeak, 1e-6))
  kheld  init -120
  ktimer init 0
  if kdb >= kheld then
    kheld  = kdb
    ktimer = khold
  elseif ktimer > 0 then
    ktimer -= 1 / kr
  else
    kheld = max(kheld - kfall / kr, kdb)
  endif
  xout kheld
endop

; Sliding-window mean of a per-block energy: a ring buffer of the last iblocks
; block sums. Summing the whole buffer every time (instead of a running total)
; means rounding errors can never pile up.
opcode WindowMean, k, ki
  kenergy, iblocks xin
  kring[] init iblocks
  kpos    init 0
  kring[kpos] = kenergy
  kpos = (kpos + 1) % iblocks
  xout sumarray(kring) / (iblocks * ksmps)
endop

instr Meter
  aL, aR ins
  outs aL, aR                 ; the audio passes through unchanged

  khold chnget "hold"
  khold limit khold, 0, 10
  kfall chnget "fall"
  kfall limit kfall, 1, 100

  ; the samples of this k-cycle as arrays (the array is ksmps long, so
  ; shiftin replaces all of it every cycle)
  kbL[] init ksmps
  kbR[] init ksmps
  kbL shiftin aL
  kbR shiftin aR

  ; --- sample peak with hold and fall ---
  kpkL = max(maxarray(kbL), -minarray(kbL))
  kpkR = max(maxarray(kbR), -minarray(kbR))
  chnset PeakHold(kpkL, khold, kfall), "peak_l"
  chnset PeakHold(kpkR, khold, kfall), "peak_r"

  ; --- RMS over 300 ms (a rectangular window of whole k-cycles) ---
  iNrms = round(0.3 * kr)
  chnset PowDB(WindowMean(sumarray(kbL * kbL), iNrms)), "rms_l"
  chnset PowDB(WindowMean(sumarray(kbR * kbR), iNrms)), "rms_r"

  ; --- momentary loudness, BS.1770-4 ---
  ; K-weighting = a high shelf (+4 dB above ~1.7 kHz, the head's effect) and
  ; the "RLB" high-pass (~38 Hz). The standard lists coefficients for 48 kHz
  ; only; these are its analog prototypes, bilinear-transformed for any sr,
  ; which reproduce the 48 kHz values exactly.
  iK   = tan($M_PI * 1681.974450955533 / sr)
  iQ   = 0.7071752369554196
  iVh  = pow(10, 3.999843853973347 / 20)
  iVb  = pow(iVh, 0.4996667741545416)
  ia0  = 1 + iK / iQ + iK * iK
  isb0 = (iVh + iVb * iK / iQ + iK * iK) / ia0
  isb1 = 2 * (iK * iK - iVh) / ia0
  isb2 = (iVh - iVb * iK / iQ + iK * iK) / ia0
  isa1 = 2 * (iK * iK - 1) / ia0
  isa2 = (1 - iK / iQ + iK * iK) / ia0
  iK   = tan($M_PI * 38.13547087602444 / sr)
  iQ   = 0.5003270373238773
  ia0  = 1 + iK / iQ + iK * iK
  iha1 = 2 * (iK * iK - 1) / ia0
  iha2 = (1 - iK / iQ + iK * iK) / ia0
  aKL biquad aL,  isb0, isb1, isb2, 1, isa1, isa2   ; shelf
  aKL biquad aKL, 1, -2, 1, 1, iha1, iha2           ; high-pass
  aKR biquad aR,  isb0, isb1, isb2, 1, isa1, isa2
  aKR biquad aKR, 1, -2, 1, 1, iha1, iha2
  kkL[] init ksmps
  kkR[] init ksmps
  kkL shiftin aKL
  kkR shiftin aKR
  ; mean square over 400 ms, summed over the two channels (weight 1 each)
  iNm = round(0.4 * kr)
  kms = WindowMean(sumarray(kkL * kkL) + sumarray(kkR * kkR), iNm)
  chnset max(-0.691 + PowDB(kms), -120), "lufs_m"
endin

</CsInstruments>
<CsScore>
; no events: the meter runs from "alwayson"
</CsScore>
<CsoundPlug>
name = "Level Meter"
author = "Csound Plug"
description = "Insert anywhere to read the level: held sample peaks, 300 ms RMS per side and momentary loudness (LUFS); the audio passes through untouched."
category = "Utilities"
tags = ["meter", "peak", "rms", "lufs", "loudness", "utility"]
</CsoundPlug>
</CsoundSynthesizer>
