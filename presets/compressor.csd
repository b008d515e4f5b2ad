<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Compressor / Limiter — a stereo-linked peak compressor with soft knee, makeup
; gain, parallel mix and a look-ahead brickwall limiter at -1 dBFS.
;   detector: loudest sample of L and R in each control block, in dB
;   gain computer: how far above the threshold -> how many dB to turn down
;   ballistics: the turn-down follows with the attack / release times
;   limiter: looks 64 samples (1.3 ms) ahead, so it can turn down before a peak
; The output channel "gain_reduction" reports the total turn-down in dB
; (0 = none, 6 = 6 dB quieter) for a meter.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; an effect: no host note may start an instrument, the processor always runs
massign 0, 0
alwayson "Compressor"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
; type 1 = integer, 2 = linear, 3 = exponential. plain csound reads 0 from an
; unwritten channel, so each default is also written with chnset.
chn_k "threshold", 1, 2, -24, -60, 0     ; dBFS where compression starts
chnset -24, "threshold"
chn_k "ratio", 1, 3, 4, 1, 20            ; 4 = 4 dB in above the threshold -> 1 dB out
chnset 4, "ratio"
chn_k "attack", 1, 3, 10, 1, 200         ; ms to clamp down
chnset 10, "attack"
chn_k "release", 1, 3, 150, 20, 2000     ; ms to recover
chnset 150, "release"
chn_k "makeup", 1, 2, 6, 0, 24           ; dB of gain after compressing
chnset 6, "makeup"
chn_k "limiter", 1, 1, 1, 0, 1           ; 1 = brickwall limiter at -1 dBFS after everything
chnset 1, "limiter"
chn_k "mix", 1, 2, 1, 0, 1               ; 0 = dry, 1 = compressed (in between: parallel compression)
chnset 1, "mix"
; output (mode 2) for the host's meter
chn_k "gain_reduction", 2, 2, 0, 0, 24   ; dB (type, default, min, max: the editor's meter range)

instr Compressor
  ; ---- controls
  kthr    chnget "threshold"
  kratio  = max(chnget:k("ratio"), 1)
  katt    = max(chnget:k("attack"), 0.1) * 0.001
  krel    = max(chnget:k("release"), 1) * 0.001
  kmakeup = port(chnget:k("makeup"), 0.02, chnget:i("makeup"))
  klimon  = chnget:k("limiter") >= 0.5 ? 1 : 0
  kmix    = port(limit(chnget:k("mix"), 0, 1), 0.02, limit(chnget:i("mix"), 0, 1))

  ainL, ainR ins

  ; ---- detector: peak of this block over both channels (stereo link keeps the image steady)
  kpk     = max(max_k(ainL, 1, 1), max_k(ainR, 1, 1))
  kin     = dbamp(kpk + 1e-9)                ; level in dBFS (-180 for silence)

  ; ---- gain computer with a 6 dB soft knee: how many dB to turn down (>= 0)
  iknee   = 6
  kover   = kin - kthr
  kslope  = 1 - 1 / kratio
  if kover <= -iknee / 2 then
    kgr = 0
  elseif kover < iknee / 2 then
    kgr = kslope * (kover + iknee / 2) ^ 2 / (2 * iknee)   ; quadratic blend inside the knee
  else
    kgr = kslope * kover
  endif

  ; ---- ballistics: one-pole smoothing of the gain reduction (in dB);
  ; attack coefficient while the reduction grows, release while it shrinks
  kgrs    init 0
  kca     = exp(-1 / (katt * kr))
  kcr     = exp(-1 / (krel * kr))
  if kgr > kgrs then
    kgrs = kca * kgrs + (1 - kca) * kgr
  else
    kgrs = kcr * kgrs + (1 - kcr) * kgr
  endif

  ; ---- compressed signal with makeup, blended with the dry for parallel compression
  again   = interp(ampdb(kmakeup - kgrs), 0, 1)   ; a-rate ramp between blocks: no zipper
  amix    = interp(kmix, 0, 1)
  amL     = ainL * (1 - amix) + ainL * again * amix
  amR     = ainR * (1 - amix) + ainR * again * amix

  ; ---- look-ahead limiter: the audio is delayed by 2 blocks, the gain is
  ; computed from the undelayed signal and held for 3 blocks (the look-ahead
  ; plus the block being output), so it is already down when the peak arrives
  iceil   = ampdb(-1)
  idel    = 2 * ksmps / sr
  kmpk    = max(max_k(amL, 1, 1), max_k(amR, 1, 1))
  kt0     = kmpk > iceil ? iceil / kmpk : 1        ; gain that would just fit this block
  kt1     init 1
  kt2     init 1
  ktgt    = min(kt0, kt1, kt2)
  kt2     = kt1
  kt1     = kt0
  klim    init 1
  iclr    = exp(-1 / (0.08 * kr))                  ; 80 ms release
  if ktgt < klim then
    klim = ktgt                                    ; instant attack (the look-ahead hides it)
  else
    klim = iclr * klim + (1 - iclr) * ktgt
  endif
  klim    = klimon == 1 ? klim : 1
  alim    = interp(klim, 0, 1)
  adL     delay amL, idel
  adR     delay amR, idel
  aoutL   = adL * alim
  aoutR   = adR * alim
  if klimon == 1 then
    ; last guard: nothing can pass the ceiling even if a peak slips through
    aoutL = limit(aoutL, -iceil, iceil)
    aoutR = limit(aoutR, -iceil, iceil)
  endif
  outs aoutL, aoutR

  ; ---- meter: compressor plus limiter reduction in dB
  chnset kgrs - dbamp(klim), "gain_reduction"
endin
</CsInstruments>
<CsScore>
; empty: the processor is started by alwayson
</CsScore>
<CsoundPlug>
name = "Compressor / Limiter"
author = "Csound Plug"
description = "Smooth stereo compressor with makeup gain and parallel mix, plus a look-ahead limiter that keeps peaks under -1 dBFS; for vocals, drums, bass or the mix bus."
category = "Effects"
tags = ["compressor", "limiter", "dynamics"]
</CsoundPlug>
</CsoundSynthesizer>
