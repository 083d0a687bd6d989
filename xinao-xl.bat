@echo off
rem 在本文件夹中运行 xinao-xl 命令，如 xinao-xl demo：转给 install.bat 装在 .venv 中的程序。
rem 本文件按 GBK 编码保存（中文 Windows 命令提示符的编码），行尾为 CRLF。
if not exist "%~dp0.venv\Scripts\xinao-xl.exe" goto :missing
"%~dp0.venv\Scripts\xinao-xl.exe" %*
exit /b %errorlevel%
:missing
echo 还没有安装 xinao_xl：请先双击本文件夹中的 install.bat。
exit /b 2
