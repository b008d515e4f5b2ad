; Cabbage's own opcodes, for patches written for Cabbage. Widgets are host parameters
; here: a widget's value is its channel; other identifiers set are published for the
; editor (cabbagePlugPublish, written in Rust). The cabbagePlug… opcodes are ours.

opcode cabbagePlugReport, 0, S
  ; Says once per engine that an identifier is accepted but not shown.
  SIdent xin
  SFlag sprintf "cabbage.reported.%s", SIdent
  if chnget:i(SFlag) == 0 then
    prints "cabbage: the identifier '%s' is accepted; the editor does not show it\n", SIdent
    chnset 1, SFlag
  endif
endop

opcode cabbagePlugIdent, S, S
  ; The identifier of "ident(args)": the text before the first '('.
  SCode xin
  iOpen strindex SCode, "("
  if iOpen > 0 then
    SIdent strsub SCode, 0, iOpen
  else
    SIdent = SCode
  endif
  xout SIdent
endop

opcode cabbagePlugValueOf, i, S
  ; The number in "value(x)", else -1.
  SCode xin
  iOpen strindex SCode, "value("
  iValue = -1
  if iOpen >= 0 then
    SRest strsub SCode, iOpen + 6
    iClose strindex SRest, ")"
    if iClose > 0 then
      SNumber strsub SRest, 0, iClose
      iValue strtod SNumber
    endif
  endif
  xout iValue
endop

; cabbageGetValue: a widget's value is its channel.
opcode cabbageGetValue, i, S
  SName xin
  iValue chnget SName
  xout iValue
endop

opcode cabbageGetValue, k, S
  SName xin
  kValue chnget SName
  xout kValue
endop

opcode cabbageGetValue, kk, So
  ; The trigger is 1 on the k-cycles the value changed (and on the first with a
  ; non-zero second argument).
  SName, iFirst xin
  kLast init chnget:i(SName)
  kFirst init iFirst > 0 ? 1 : 0
  kValue chnget SName
  kTrig = (kValue != kLast ? 1 : kFirst)
  kFirst = 0
  kLast = kValue
  xout kValue, kTrig
endop

opcode cabbageGetValue, S, S
  SName xin
  SValue chnget SName
  xout SValue
endop

opcode cabbageGetValue, Sk, S
  ; The trigger is 1 on the k-cycles the text changed.
  SName xin
  SLast chnget SName
  SValue chngetks SName
  kTrig strcmpk SValue, SLast
  kTrig = (kTrig != 0 ? 1 : 0)
  if kTrig == 1 then
    SLast strcpyk SValue
  endif
  xout SValue, kTrig
endop

; cabbageSetValue: sets the widget's channel.
opcode cabbageSetValue, 0, Si
  SName, iValue xin
  chnset iValue, SName
endop

opcode cabbageSetValue, 0, SkP
  ; Only while the trigger's whole part is exactly 1 (no init pass), as Cabbage does.
  SName, kValue, kTrig xin
  if int(kTrig) == 1 && timeinstk() > 0 then
    chnset kValue, SName
  endif
endop

opcode cabbageSetValue, 0, SS
  SName, SValue xin
  chnset SValue, SName
endop

opcode cabbageSetValue, 0, SSk
  SName, SValue, kTrig xin
  if int(kTrig) == 1 then
    chnsetks SValue, SName
  endif
endop

opcode cabbagePlugOnlyValue, i, S
  ; Whether the identifier text is one value(x) and nothing else.
  SCode xin
  SCode strstrip SCode
  iOnly = 0
  if strindex(SCode, "value(") == 0 then
    iOnly = (strindex(SCode, ")") == strlen(SCode) - 1 ? 1 : 0)
  endif
  xout iOnly
endop

opcode cabbagePlugPublishWhen, 0, kiSS
  ; Publishes SText for the widget SName when the trigger fires: exactly 1 (iExact 1) or
  ; not 0; at init too. While it stays on, only a changed text is published again.
  kTrig, iExact, SName, SText xin
  iTrig = i(kTrig)
  iFires = (iExact == 1 ? (iTrig == 1 ? 1 : 0) : (iTrig != 0 ? 1 : 0))
  if iFires == 1 then
    cabbagePlugPublish SName, SText
  endif
  kPrev init iFires
  SLast strcpy SText
  kFires = (iExact == 1 ? (kTrig == 1 ? 1 : 0) : (kTrig != 0 ? 1 : 0))
  if kFires == 1 then
    if kPrev == 0 || strcmpk(SText, SLast) != 0 then
      cabbagePlugPublishK SName, SText
      SLast strcpyk SText
    endif
  endif
  kPrev = kFires
endop

; cabbageSet: "value(x)" and the identifier "value" set the channel; every other
; identifier is published for the widget as Cabbage 2 text (e.g. "bounds(10, 20, 100,
; 30)") for the editor to apply.
; Longer forms first: Csound takes one extra argument as a UDO's local ksmps, so a
; shorter form defined earlier would catch a longer call.
opcode cabbageSet, 0, SSiiii
  SName, SIdent, i1, i2, i3, i4 xin
  cabbagePlugPublish SName, sprintf("%s(%g, %g, %g, %g)", SIdent, i1, i2, i3, i4)
endop

opcode cabbageSet, 0, SSiii
  SName, SIdent, i1, i2, i3 xin
  cabbagePlugPublish SName, sprintf("%s(%g, %g, %g)", SIdent, i1, i2, i3)
endop

opcode cabbageSet, 0, SSii
  SName, SIdent, i1, i2 xin
  cabbagePlugPublish SName, sprintf("%s(%g, %g)", SIdent, i1, i2)
endop

opcode cabbageSet, 0, SSi
  ; Csound may pick this form for `cabbageSet "w", sprintf(…)`: an identifier text
  ; (it holds a '(') is the code form.
  SName, SIdent, i1 xin
  if strindex(SIdent, "(") >= 0 then
    cabbageSet SName, SIdent
  elseif strcmp(SIdent, "value") == 0 then
    chnset i1, SName
  else
    cabbagePlugPublish SName, sprintf("%s(%g)", SIdent, i1)
  endif
endop

opcode cabbageSet, 0, SSS
  SName, SIdent, SValue xin
  cabbagePlugPublish SName, sprintf("%s(\"%s\")", SIdent, SValue)
endop

opcode cabbageSet, 0, SS
  SName, SCode xin
  iValue cabbagePlugValueOf SCode
  if iValue != -1 then
    chnset iValue, SName
  endif
  if cabbagePlugOnlyValue(SCode) == 0 then
    cabbagePlugPublish SName, SCode
  endif
endop

opcode cabbageSet, 0, kSSkkkk
  kTrig, SName, SIdent, k1, k2, k3, k4 xin
  cabbagePlugPublishWhen kTrig, 1, SName, sprintfk("%s(%g, %g, %g, %g)", SIdent, k1, k2, k3, k4)
endop

opcode cabbageSet, 0, kSSkkk
  kTrig, SName, SIdent, k1, k2, k3 xin
  cabbagePlugPublishWhen kTrig, 1, SName, sprintfk("%s(%g, %g, %g)", SIdent, k1, k2, k3)
endop

opcode cabbageSet, 0, kSSkk
  kTrig, SName, SIdent, k1, k2 xin
  cabbagePlugPublishWhen kTrig, 1, SName, sprintfk("%s(%g, %g)", SIdent, k1, k2)
endop

opcode cabbageSet, 0, kSSk
  ; Fires when the trigger is exactly 1. Csound may pick this form for `cabbageSet
  ; kTrig, "w", sprintfk(…)`: an identifier text (it holds a '(') is the code form.
  ; Triggers, not i-time branches, choose what runs: an opcode skipped at init must
  ; not run later.
  kTrig, SName, SIdent, k1 xin
  iIsCode = strindex(SIdent, "(") >= 0 ? 1 : 0
  iIsValue = strcmp(SIdent, "value") == 0 ? 1 : 0
  if iIsValue == 1 && kTrig == 1 then
    chnset k1, SName
  endif
  cabbagePlugPublishWhen (iIsCode == 1 ? kTrig : 0), 0, SName, SIdent
  kIdent = (iIsCode == 0 && iIsValue == 0 ? kTrig : 0)
  cabbagePlugPublishWhen kIdent, 1, SName, sprintfk("%s(%g)", SIdent, k1)
endop

opcode cabbageSet, 0, SSk
  ; At k-rate without a trigger (`cabbageSet "w", "scrubberPosition", kPos`): acts in
  ; the first cycle and whenever the value changes.
  SName, SIdent, k1 xin
  kFirst init 1
  kTrig = (changed:k(k1) == 1 || kFirst == 1 ? 1 : 0)
  kFirst = 0
  cabbageSet kTrig, SName, SIdent, k1
endop

opcode cabbageSet, 0, kSSS
  kTrig, SName, SIdent, SValue xin
  cabbagePlugPublishWhen kTrig, 0, SName, sprintfk("%s(\"%s\")", SIdent, SValue)
endop

opcode cabbageSet, 0, kSS
  ; Fires on a non-zero trigger (also at init), as Cabbage's string form does.
  kTrig, SName, SCode xin
  iValue cabbagePlugValueOf SCode
  if iValue != -1 && i(kTrig) != 0 then
    chnset iValue, SName
  endif
  if iValue != -1 && kTrig != 0 then
    chnset k(iValue), SName
  endif
  kPublish = (cabbagePlugOnlyValue(SCode) == 0 ? kTrig : 0)
  cabbagePlugPublishWhen kPublish, 0, SName, SCode
endop

; cabbageGet: "value" is the channel; other identifiers read 0 or "" (the editor
; applies what cabbageSet publishes; nothing reads it back).
opcode cabbageGet, i, SS
  SName, SIdent xin
  iValue = 0
  if strcmp(SIdent, "value") == 0 then
    iValue chnget SName
  else
    cabbagePlugReport SIdent
  endif
  xout iValue
endop

opcode cabbageGet, k, SS
  SName, SIdent xin
  iIsValue = strcmp(SIdent, "value") == 0 ? 1 : 0
  if iIsValue == 0 then
    cabbagePlugReport SIdent
  endif
  kValue = 0
  if iIsValue == 1 then
    kValue chnget SName
  endif
  xout kValue
endop

opcode cabbageGet, kk, SS
  SName, SIdent xin
  kValue cabbageGet SName, SIdent
  kLast init i(kValue)
  kTrig = (kValue != kLast ? 1 : 0)
  kLast = kValue
  xout kValue, kTrig
endop

opcode cabbageGet, S, SS
  SName, SIdent xin
  cabbagePlugReport SIdent
  xout ""
endop

opcode cabbageGet, k, S
  SName xin
  kValue chnget SName
  xout kValue
endop

opcode cabbageGet, kk, S
  SName xin
  kValue, kTrig cabbageGetValue SName
  xout kValue, kTrig
endop

opcode cabbageGet, Sk, S
  SName xin
  SValue, kTrig cabbageGetValue SName
  xout SValue, kTrig
endop

opcode cabbageGet, S, S
  SName xin
  SValue chnget SName
  xout SValue
endop

; File names, for a path given as a string (an absolute path).
opcode cabbageGetFilename, S, S
  SPath xin
  iSlash strrindex SPath, "/"
  SName strsub SPath, iSlash + 1
  xout SName
endop

opcode cabbageGetFilePath, S, S
  SPath xin
  iSlash strrindex SPath, "/"
  if iSlash > 0 then
    SFolder strsub SPath, 0, iSlash
  else
    SFolder = ""
  endif
  xout SFolder
endop

opcode cabbageGetFileExtension, S, S
  SPath xin
  SName cabbageGetFilename SPath
  iDot strrindex SName, "."
  SExtension = ""
  if iDot >= 0 then
    SExtension strsub SName, iDot
  endif
  xout SExtension
endop

opcode cabbageGetFileNoExtension, S, S
  SPath xin
  SName cabbageGetFilename SPath
  iDot strrindex SName, "."
  if iDot > 0 then
    SName strsub SName, 0, iDot
  endif
  xout SName
endop

; Accepted: the host's MIDI reaches instruments as it is.
opcode cabbageMidiSender, 0, 0
endop

opcode cabbageCreate, 0, SS
  SType, SCode xin
  cabbagePlugReport "cabbageCreate"
endop

; cabbageSetStateValue / cabbageGetStateValue: the patch's saved values, kept with the
; plugin's state (cabbagePlugState…, written in Rust). Numbers given at init are set
; at init; k-rate numbers, strings and arrays on every k-cycle the opcode runs, as in
; Cabbage.
opcode cabbageSetStateValue, 0, Si
  SKey, iValue xin
  cabbagePlugStateSetNumber SKey, iValue
endop

opcode cabbageSetStateValue, 0, Sk
  SKey, kValue xin
  cabbagePlugStateSetNumberK SKey, kValue
endop

opcode cabbageSetStateValue, 0, Si[]
  SKey, iValues[] xin
  cabbagePlugStateSetNumbers SKey, iValues
endop

opcode cabbageSetStateValue, 0, Sk[]
  SKey, kValues[] xin
  cabbagePlugStateSetNumbersK SKey, kValues
endop

opcode cabbageSetStateValue, 0, SS
  SKey, SValue xin
  cabbagePlugStateSetTextK SKey, SValue
endop

opcode cabbageSetStateValue, 0, SS[]
  SKey, SValues[] xin
  cabbagePlugStateSetTextsK SKey, SValues
endop

; A missing number reads -1.
opcode cabbageGetStateValue, i, S
  SKey xin
  iValue cabbagePlugStateNumber SKey, -1
  xout iValue
endop

opcode cabbageGetStateValue, k, S
  SKey xin
  kValue init cabbagePlugStateNumber(SKey, -1)
  kValue cabbagePlugStateNumberK SKey, -1
  xout kValue
endop

opcode cabbageGetStateValue, S, S
  SKey xin
  iFound cabbagePlugStateText SKey, -1
  SValue chnget "cabbage.plug.text"
  kFound cabbagePlugStateTextK SKey, -1
  SValue chngetks "cabbage.plug.text"
  xout SValue
endop

; Arrays are sized at init ([-1] when missing, as in Cabbage); the k-rate form reads
; the items again every k-cycle.
opcode cabbageGetStateValue, i[], S
  SKey xin
  iN cabbagePlugStateCount SKey
  iOut[] init max(iN, 1)
  iOut[0] = -1
  iI = 0
  while iI < iN do
    iOut[iI] = cabbagePlugStateNumber(SKey, iI)
    iI += 1
  od
  xout iOut
endop

opcode cabbageGetStateValue, k[], S
  SKey xin
  iN cabbagePlugStateCount SKey
  kOut[] init max(iN, 1)
  kN cabbagePlugStateCountK SKey
  kI = 0
  while kI < min(kN, lenarray(kOut)) do
    kOut[kI] = cabbagePlugStateNumberK(SKey, kI)
    kI += 1
  od
  if kN == 0 then
    kOut[0] = -1
  endif
  xout kOut
endop

opcode cabbageGetStateValue, S[], S
  SKey xin
  iN cabbagePlugStateCount SKey
  SOut[] init max(iN, 1)
  iI = 0
  while iI < iN do
    iFound cabbagePlugStateText SKey, iI
    SOut[iI] = chnget:S("cabbage.plug.text")
    iI += 1
  od
  xout SOut
endop

opcode cabbageReadStateData, S, 0
  iFound cabbagePlugStateRead
  SData chnget "cabbage.plug.text"
  kFound cabbagePlugStateReadK
  SData chngetks "cabbage.plug.text"
  xout SData
endop

; Mode 1 merges the object's members into the values; another mode replaces them.
opcode cabbageWriteStateData, 0, iS
  iMode, SJson xin
  cabbagePlugStateWrite iMode, SJson
endop

opcode cabbageWriteStateData, 0, S
  SJson xin
  cabbagePlugStateWrite 1, SJson
endop

opcode cabbageHasStateData, i, 0
  xout cabbagePlugStateHas()
endop

opcode cabbageHasStateData, k, 0
  kHas cabbagePlugStateHasK
  xout kHas
endop

; cabbageChanged: which channel of a list changed in this k-cycle (the last one when
; several did). Numbers start from 0 as in Cabbage, so a channel that is not 0 reports
; a change in the first k-cycle; strings start from their value. With a threshold, a
; number channel fires when it crosses it: upwards (mode 0), downwards (1) or either
; (2, the default); mode 3 also reports the first channel once at the start.
opcode cabbagePlugChanged, kk, S[]kki
  SChannels[], kThreshold, kMode, iCross xin
  iN lenarray SChannels
  iTypes[] init max(iN, 1)
  SOld[] init max(iN, 1)
  iI = 0
  while iI < iN do
    iType, iMode, iCtl, iDflt, iMin, iMax chnparams SChannels[iI]
    iTypes[iI] = iType
    iI += 1
  od
  kOld[] init max(iN, 1)
  kIndex init 0
  kFirst init 1
  kTrig = 0
  if iCross == 1 && kMode == 3 && kFirst == 1 then
    kIndex = 0
    kTrig = 1
  else
    kI = 0
    while kI < iN do
      if iTypes[kI] == 3 then
        SNow chnget SChannels[kI]
        if kFirst == 1 then
          SOld[kI] = SNow
        endif
        if strcmpk(SNow, SOld[kI]) != 0 then
          SOld[kI] = SNow
          kIndex = kI
          kTrig = 1
        endif
      else
        kNow chnget SChannels[kI]
        kWas = kOld[kI]
        if iCross == 1 && kMode != 3 then
          kUp = (kWas <= kThreshold && kNow > kThreshold ? 1 : 0)
          kDown = (kWas >= kThreshold && kNow < kThreshold ? 1 : 0)
          kHit = (kMode == 0 ? kUp : (kMode == 1 ? kDown : (kUp + kDown > 0 ? 1 : 0)))
        else
          kHit = (kNow != kWas ? 1 : 0)
        endif
        kOld[kI] = kNow
        if kHit == 1 then
          kIndex = kI
          kTrig = 1
        endif
      endif
      kI += 1
    od
  endif
  kFirst = 0
  xout kIndex, kTrig
endop

; Longer forms first (see cabbageSet).
opcode cabbageChanged, Sk, S[]kk
  SChannels[], kThreshold, kMode xin
  kIndex, kTrig cabbagePlugChanged SChannels, kThreshold, kMode, 1
  SChannel init ""
  if kTrig == 1 then
    SChannel strcpyk SChannels[kIndex]
  endif
  xout SChannel, kTrig
endop

opcode cabbageChanged, Sk, S[]k
  SChannels[], kThreshold xin
  kIndex, kTrig cabbagePlugChanged SChannels, kThreshold, 2, 1
  SChannel init ""
  if kTrig == 1 then
    SChannel strcpyk SChannels[kIndex]
  endif
  xout SChannel, kTrig
endop

opcode cabbageChanged, Sk, S[]
  SChannels[] xin
  kIndex, kTrig cabbagePlugChanged SChannels, 0, 2, 0
  SChannel init ""
  if kTrig == 1 then
    SChannel strcpyk SChannels[kIndex]
  endif
  xout SChannel, kTrig
endop

opcode cabbageChanged, kk, S[]kk
  SChannels[], kThreshold, kMode xin
  kIndex, kTrig cabbagePlugChanged SChannels, kThreshold, kMode, 1
  xout kIndex, kTrig
endop

opcode cabbageChanged, kk, S[]k
  SChannels[], kThreshold xin
  kIndex, kTrig cabbagePlugChanged SChannels, kThreshold, 2, 1
  xout kIndex, kTrig
endop

opcode cabbageChanged, kk, S[]
  SChannels[] xin
  kIndex, kTrig cabbagePlugChanged SChannels, 0, 2, 0
  xout kIndex, kTrig
endop

; cabbageFindFiles: the full paths in a folder (relative: the patch's folders first),
; sorted; STypes "files" (default), "directories" or "filesAndDirectories"; SPattern a
; wildcard such as "*.wav" (several separated by ';'). Listing a folder is a read, as
; Csound's own `directory` opcode is. The k-rate forms list again when the trigger is 1.
opcode cabbagePlugFiles, S[], SSS
  SFolder, STypes, SPattern xin
  iN cabbagePlugListFiles SFolder, STypes, SPattern
  SList chnget "cabbage.plug.text"
  ; Csound cannot size an array 0: none found leaves it unsized (lenarray -1).
  if iN > 0 then
    SOut[] init iN
  endif
  iI = 0
  iStart = 0
  while iI < iN do
    SRest strsub SList, iStart
    iEnd strindex SRest, "\n"
    iEnd = (iEnd < 0 ? strlen(SRest) : iEnd)
    SOut[iI] = strsub(SRest, 0, iEnd)
    iStart += iEnd + 1
    iI += 1
  od
  xout SOut
endop

opcode cabbageFindFiles, S[], S
  SFolder xin
  SFiles[] cabbagePlugFiles SFolder, "files", "*"
  xout SFiles
endop

opcode cabbageFindFiles, S[], SS
  SFolder, STypes xin
  SFiles[] cabbagePlugFiles SFolder, STypes, "*"
  xout SFiles
endop

opcode cabbageFindFiles, S[], SSS
  SFolder, STypes, SPattern xin
  SFiles[] cabbagePlugFiles SFolder, STypes, SPattern
  xout SFiles
endop

opcode cabbageFindFiles, S[], kSSS
  kTrig, SFolder, STypes, SPattern xin
  if kTrig == 1 && timeinstk() > 1 then
    reinit list
  endif
list:
  SFiles[] cabbagePlugFiles SFolder, STypes, SPattern
  rireturn
  xout SFiles
endop

opcode cabbageFindFiles, S[], kSS
  kTrig, SFolder, STypes xin
  SFiles[] cabbageFindFiles kTrig, SFolder, STypes, "*"
  xout SFiles
endop

opcode cabbageFindFiles, S[], kS
  kTrig, SFolder xin
  SFiles[] cabbageFindFiles kTrig, SFolder, "files", "*"
  xout SFiles
endop
