; Guichet — installateur Windows (NSIS 3, Unicode).
;
; Built on Windows after the bundle (see README.md, « Installer ») :
;   makensis /INPUTCHARSET UTF8 /DVERSION=0.1.0 installer\windows\guichet.nsi
; PAYLOAD (the bundle folder, default ..\..\dist\guichet) and OUTDIR (default ..\..\dist) may be given with /D too.
; installer/windows/build_placeholder.sh compiles it on Linux against a placeholder payload.
;
; Installs for every user of the PC (town-hall PCs are shared) in Program Files, with Start-menu entries for the
; desk, the kiosk, the call screen and the setup assistant. The uninstaller removes the program only: each user's
; data (database, settings, logs in %LOCALAPPDATA%\guichet, anything in %APPDATA%) is kept.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef PAYLOAD
  !define PAYLOAD "..\..\dist\guichet"
!endif
!ifndef OUTDIR
  !define OUTDIR "..\..\dist"
!endif

!define APP "Guichet"
!define PUBLISHER "SITIV"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Guichet"
!define MENU "$SMPROGRAMS\Guichet"
!define ICONS "$INSTDIR\_internal\icons"

Name "${APP} ${VERSION}"
OutFile "${OUTDIR}\Guichet-${VERSION}-installation.exe"
InstallDir "$PROGRAMFILES64\Guichet"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP} ${VERSION} — ${PUBLISHER}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1036 "ProductName" "${APP}"
VIAddVersionKey /LANG=1036 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1036 "FileDescription" "Installation de Guichet, l'accueil unique des mairies"
VIAddVersionKey /LANG=1036 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "LegalCopyright" "SITIV — EUPL-1.2"

!define MUI_ICON "${PAYLOAD}\_internal\icons\guichet.ico"
!define MUI_UNICON "${PAYLOAD}\_internal\icons\guichet.ico"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "Cet assistant installe Guichet ${VERSION} pour tous les utilisateurs de ce poste : le poste d'accueil, la borne de tickets et l'écran d'appel.$\r$\n$\r$\nSi Guichet est ouvert, fermez-le avant de continuer. Les données déjà présentes (base, réglages, journaux) sont conservées."
; No « run now » on the last page: the installer runs as administrator, and the settings and the keyring the
; assistant writes belong to the Windows account that will use Guichet.
!define MUI_FINISHPAGE_TEXT "Guichet est installé.$\r$\n$\r$\nAvec le compte Windows qui utilisera ce poste, ouvrez « Guichet — assistant de configuration » dans le menu Démarrer : il règle le site, le guichet, l'imprimante et le serveur central."
!define MUI_UNCONFIRMPAGE_TEXT_TOP "Guichet va être retiré de ce poste. Les données de chaque utilisateur (base, réglages, journaux, dans %LOCALAPPDATA%\guichet) sont conservées."

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "French"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Guichet fonctionne sur Windows 64 bits uniquement."
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Guichet" SecProgram
  SectionIn RO
  ; An update replaces the program whole: no file of the previous version may linger in _internal.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*"
  WriteUninstaller "$INSTDIR\desinstaller.exe"

  ; guichetw.exe has no console window; guichet.exe (console) is for the commands and the scheduled tasks.
  CreateDirectory "${MENU}"
  CreateShortcut "${MENU}\Guichet — poste d'accueil.lnk" "$INSTDIR\guichetw.exe" "desk" "${ICONS}\guichet.ico" 0
  CreateShortcut "${MENU}\Guichet — borne.lnk" "$INSTDIR\guichetw.exe" "kiosk" "${ICONS}\guichet-borne.ico" 0
  CreateShortcut "${MENU}\Guichet — écran d'appel.lnk" "$INSTDIR\guichetw.exe" "display" "${ICONS}\guichet-ecran.ico" 0
  CreateShortcut "${MENU}\Guichet — assistant de configuration.lnk" "$INSTDIR\guichetw.exe" "setup" "${ICONS}\guichet-reglages.ico" 0
  CreateShortcut "${MENU}\Désinstaller Guichet.lnk" "$INSTDIR\desinstaller.exe"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "${ICONS}\guichet.ico"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\desinstaller.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\desinstaller.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  Delete "${MENU}\Guichet — poste d'accueil.lnk"
  Delete "${MENU}\Guichet — borne.lnk"
  Delete "${MENU}\Guichet — écran d'appel.lnk"
  Delete "${MENU}\Guichet — assistant de configuration.lnk"
  Delete "${MENU}\Désinstaller Guichet.lnk"
  RMDir "${MENU}"
  ; Only what the installer put there: a folder chosen by hand keeps anything else it holds.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\guichet.exe"
  Delete "$INSTDIR\guichetw.exe"
  Delete "$INSTDIR\desinstaller.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DetailPrint "Données conservées : %LOCALAPPDATA%\guichet de chaque utilisateur (base, réglages, journaux)."
SectionEnd
