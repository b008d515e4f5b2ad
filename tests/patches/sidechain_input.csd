; sidechain_input.csd - an effect with a side-chain: reads four inputs, the main pair
; on 1-2 and the side-chain on 3-4, and ducks the main pair by the side-chain's level.
; Rendered with a four-channel input WAV (48 kHz), as `--input` carries a side-chain
; after the main channels. 48 kHz, ksmps 32, nchnls 2, nchnls_i 4, 0dbfs 1; 6 s.
<CsoundSynthesizer>
<CsOptions>
-d
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 4
0dbfs = 1

instr 1
  aL, aR, aKeyL, aKeyR inch 1, 2, 3, 4
  kenv = downsamp(follow2(abs(aKeyL) + abs(aKeyR), 0.005, 0.15))
  again interp 1 / (1 + 8 * kenv)
  outs aL * again, aR * again + aKeyL * 0.1
endin
</CsInstruments>
<CsScore>
i 1 0 6
</CsScore>
</CsoundSynthesizer>
