<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
; Csound Plug FX — default effect: a ping-pong echo.
; The input (summed to mono) echoes left, then right, then left..., each repeat
; quieter and darker. The controls below appear in the host as parameters.
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1

; Host parameters: name, 1 (input), type (1 integer, 2 linear, 3 exponential),
; default, min, max. chnset writes the default for plain csound too.
chn_k "time", 1, 3, 300, 20, 2000     ; ms between echoes
chnset 300, "time"
chn_k "sync", 1, 1, 0, 0, 1           ; 1: snap the time to 16th notes of the host tempo
chnset 0, "sync"
chn_k "feedback", 1, 2, 0.5, 0, 0.95  ; level of each repeat relative to the last
chnset 0.5, "feedback"
chn_k "tone", 1, 3, 4000, 500, 16000  ; low-pass (Hz) on the echoes: lower is darker
chnset 4000, "tone"
chn_k "mix", 1, 2, 0.5, 0, 1          ; 0 dry only, 0.5 dry + echoes, 1 echoes only
chnset 0.5, "mix"
chn_k "width", 1, 2, 1, 0, 1          ; 0 echoes in the middle, 1 hard left/right
chnset 1, "width"

massign 0, 0        ; an effect: host notes start nothing
alwayson "PingPong" ; runs for as long as the patch is loaded

instr PingPong
  ; read the controls (ms to seconds)
  ktime = chnget:k("time") / 1000
  kbpm  = chnget:k("HOST_BPM")
  kbpm  = (kbpm > 0 ? kbpm : 120)   ; 120 BPM when not hosted
  k16th = 15 / kbpm                 ; a 16th note, in seconds
  if chnget:k("sync") == 1 then
    ktime = max(1, round(ktime / k16th)) * k16th
  endif
  ktime = min(ktime, 2)             ; the delay lines hold 2 s
  ; a slow glide when the time changes gives a tape-like pitch bend, not clicks
  ; (none on the first k-cycle, so the echoes start at the right time)
  kglide init 0
  atime = a(portk(ktime, kglide))
  kglide = 0.1
  ; port's third argument starts the smoothing at the current value, not at 0
  kfb   port chnget:k("feedback"), 0.02, chnget:i("feedback")
  ktone port chnget:k("tone"), 0.02, chnget:i("tone")
  kmix  port chnget:k("mix"), 0.02, chnget:i("mix")
  kwide port chnget:k("width"), 0.02, chnget:i("width")

  ainL, ainR ins
  amono = (ainL + ainR) * 0.5

  ; two delay lines; each delayw writes to the delayr lines in order (first to first)
  abufL  delayr 2.1
  aechoL tone deltap3(atime), ktone
  abufR  delayr 2.1
  aechoR tone deltap3(atime), ktone
         delayw amono + aechoR * kfb  ; left line: input, plus what the right one echoed
         delayw aechoL * kfb          ; right line: what the left one echoed

  ; width pans the two echo streams from the centre out to the sides
  awetL = aechoL * (1 + kwide) / 2 + aechoR * (1 - kwide) / 2
  awetR = aechoR * (1 + kwide) / 2 + aechoL * (1 - kwide) / 2
  ; mix: the dry level stays full up to 0.5, then fades; the echoes fade in up to 0.5
  kdry = min(1, 2 - 2 * kmix)
  kwet = min(1, 2 * kmix)
  outs ainL * kdry + awetL * kwet, ainR * kdry + awetR * kwet
endin
</CsInstruments>
<CsScore>
</CsScore>
<CsoundPlug>
name = "Ping-Pong Echo"
author = "Csound Plug"
description = "A stereo echo that bounces left and right, each repeat darker than the last; sync locks it to the host tempo."
category = "Effects"
tags = ["delay", "echo", "ping-pong", "stereo"]
knobs = ["time", "feedback", "tone", "mix", "width"]
</CsoundPlug>
</CsoundSynthesizer>
