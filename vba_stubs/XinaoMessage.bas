Attribute VB_Name = "XinaoMessage"
' A message box for texts that may hold any character. VBA's MsgBox passes its text through the
' system's ANSI code page, so Chinese would show as ? on a Windows that is not set to Chinese;
' MessageBoxW takes the text as Unicode. PtrSafe/LongPtr: Excel 2010 and later, 32 or 64 bit.
Option Explicit

Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, ByVal lpText As LongPtr, ByVal lpCaption As LongPtr, ByVal uType As Long) As Long

Public Sub ShowMessage(ByVal text As String, ByVal title As String)
    MessageBoxW Application.Hwnd, StrPtr(text), StrPtr(title), vbExclamation
End Sub
