<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Resonant Filter — a stereo multimode filter with a tempo-synced LFO and an
; envelope follower (auto-wah).
; The cutoff heard at any moment is
;   cutoff * 2 ^ (depth * LFO + envelope * input level)     (depth, envelope in octaves)
; so both modulations move the filter musically (by octaves, not by Hz).
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; an effect: no host note may start an instrument, the processor always runs
massign 0, 0
alwayson "ResonantFilter"

; ---- host parameters: chn_k name, mode (1 = input), type, default, min, max
; type 1 = integer, 2 = linear, 3 = exponential. plain csound reads 0 from an
; unwritten channel, so each default is also written with chnset.
chn_k "cutoff", 1, 3, 800, 40, 16000     ; base cutoff, Hz
chnset 800, "cutoff"
chn_k "resonance", 1, 2, 0.6, 0, 1       ; 0 = no peak .. 1 = on the edge of self-oscillation
chnset 0.6, "resonance"
chn_k "type", 1, 1, 0, 0, 3              ; 0 low-pass 24 dB, 1 low-pass 12 dB, 2 band-pass, 3 high-pass
chnset 0, "type"
chn_k "depth", 1, 2, 1, 0, 4             ; LFO sweep, octaves up and down
chnset 1, "depth"
chn_k "rate", 1, 1, 3, 0, 6              ; LFO cycle: 0 4 bars, 1 2 bars, 2 1 bar, 3 1/2, 4 1/4, 5 1/8, 6 1/16
chnset 3, "rate"
chn_k "envelope", 1, 2, 1.5, -4, 4       ; auto-wah: octaves the input's loudness adds (negative: closes)
chnset 1.5, "envelope"
chn_k "mix", 1, 2, 1, 0, 1               ; 0 = dry only, 1 = filtered only
chnset 1, "mix"

; LFO cycle length in beats (quarter notes) for each "rate" step
giBeats ftgen 0, 0, 8, -2, 16, 8, 4, 2, 1, 0.5, 0.25, 0.25

; One channel of filtering. All four responses are computed and blended by
; weights, so changing "type" crossfades instead of clicking.
opcode MultiFilter, a, aakkkkk
  ain, acut, kq, kw0, kw1, kw2, kw3 xin
  alad            zdf_ladder ain, acut, kq          ; 4-pole (24 dB/oct) ladder low-pass
  alp, abp, ahp   zdf_2pole_mode ain, acut, kq      ; 2-pole state variable: low, band, high
  ; a ladder's pass band drops as its resonance rises (the classic "thin" sound
  ; of a resonant Moog); this make-up gain restores it. the band-pass gets a
  ; small trim so that all four types sound about equally loud.
  kladgain = 1 + sqrt(kq - 0.5)
  aout = alad * kw0 * kladgain + alp * kw1 + abp * kw2 * 1.4 + ahp * kw3
  xout aout
endop

instr ResonantFilter
  ; ---- controls (port's third argument starts the smoothing at the current value)
  kcutoff = port(limit(chnget:k("cutoff"), 20, 20000), 0.02, limit(chnget:i("cutoff"), 20, 20000))
  kres    = port(limit(chnget:k("resonance"), 0, 1), 0.02, limit(chnget:i("resonance"), 0, 1))
  ktype   = limit(round(chnget:k("type")), 0, 3)
  itype   = limit(round(chnget:i("type")), 0, 3)
  kdepth  = port(chnget:k("depth"), 0.02, chnget:i("depth"))
  krate   = limit(round(chnget:k("rate")), 0, 6)
  ; sc_lag, not port: port treats a negative start value as "skip
  ; initialisation" and would glide in from 0 (lag time = time to settle)
  kenvamt = sc_lag(chnget:k("envelope"), 0.1, chnget:i("envelope"))
  kmix    = port(limit(chnget:k("mix"), 0, 1), 0.02, limit(chnget:i("mix"), 0, 1))
  kw0     = port(ktype == 0 ? 1 : 0, 0.01, itype == 0 ? 1 : 0)
  kw1     = port(ktype == 1 ? 1 : 0, 0.01, itype == 1 ? 1 : 0)
  kw2     = port(ktype == 2 ? 1 : 0, 0.01, itype == 2 ? 1 : 0)
  kw3     = port(ktype == 3 ? 1 : 0, 0.01, itype == 3 ? 1 : 0)

  ; ---- tempo-synced LFO
  ; the host tempo, or 120 BPM when not hosted (plain csound reads 0)
  kbpm    chnget "HOST_BPM"
  khosted = kbpm > 0 ? 1 : 0
  kbpm    = khosted == 1 ? kbpm : 120
  kplay   chnget "IS_PLAYING"
  kppq    chnget "HOST_PPQ_POS"                     ; song position in quarter notes
  kbeats  table krate, giBeats
  kinc    = kbpm / 60 / kbeats / kr                 ; phase step per k-cycle
  kphase  init 0
  kppqold init -1
  ; while the host plays, lock the phase to the song position so the sweep lands
  ; on the beat (the host may update the position once per audio block, so in
  ; between the phase runs on by itself); otherwise run freely at the tempo
  if khosted == 1 && kplay == 1 && kppq != kppqold then
    kphase = wrap(kppq / kbeats, 0, 1)
  else
    kphase = wrap(kphase + kinc, 0, 1)
  endif
  kppqold = kppq
  klfo    = sin(2 * $M_PI * kphase)

  ; ---- envelope follower: input loudness as 0..1 (-50 dBFS .. -6 dBFS)
  ainL, ainR ins
  afol    follow2 (ainL + ainR) * 0.5, 0.005, 0.15  ; fast attack, 150 ms release
  kfol    = limit((dbamp(k(afol) + 1e-6) + 50) / 44, 0, 1)

  ; ---- cutoff and Q
  kcut    = limit(kcutoff * 2 ^ (kdepth * klfo + kenvamt * kfol), 20, sr * 0.45)
  acut    = interp(kcut, 0, 1)                      ; a-rate: smooth sweeps, no steps
  kq      = 0.5 * 48 ^ kres                         ; Q 0.5 .. 24 (the ladder howls at 25)
  ; the resonant peak adds level; pull the output back a little as Q rises
  kcomp   = 1 / (1 + kres * 0.8)

  afL     MultiFilter ainL, acut, kq, kw0, kw1, kw2, kw3
  afR     MultiFilter ainR, acut, kq, kw0, kw1, kw2, kw3
  ; tanh: a gentle safety saturator for loud resonant peaks (transparent below -10 dBFS)
  awetL   = tanh(afL * kcomp)
  awetR   = tanh(afR * kcomp)
  amix    = interp(kmix, 0, 1)
  outs ainL * (1 - amix) + awetL * amix, ainR * (1 - amix) + awetR * amix
endin
</CsInstruments>
<CsScore>
; empty: the processor is started by alwayson
</CsScore>
<CsoundPlug>
name = "Resonant Filter"
author = "Csound Plug"
description = "Multimode resonant filter that sweeps in time with the song and opens with your playing (auto-wah); great on synth pads, drums and guitar."
category = "Effects"
tags = ["filter", "lfo", "auto-wah", "tempo-sync"]
</CsoundPlug>
</CsoundSynthesizer>
