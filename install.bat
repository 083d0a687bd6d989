@echo off
rem 安装 xinao_xl：在本文件夹建一个只给 xinao_xl 用的 Python 环境（.venv 文件夹），
rem 装好程序和它要用的库，最后检查本机环境。双击运行即可；再运行一次就是更新（从本文件夹重新安装）。
rem 本文件按 GBK 编码保存（中文 Windows 命令提示符的编码），行尾为 CRLF。
setlocal
cd /d "%~dp0"
set "PY="
where py >nul 2>nul && set "PY=py -3"
if not defined PY where python >nul 2>nul && set "PY=python"
if not defined PY goto :nopython
%PY% -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)" >nul 2>nul
if errorlevel 1 goto :nopython
if exist ".venv\Scripts\python.exe" goto :install
echo 正在建立 xinao_xl 专用的 Python 环境（.venv 文件夹，不影响本机其他程序）……
%PY% -m venv .venv
if errorlevel 1 goto :fail
:install
echo 正在安装 xinao_xl 和所需的库（第一次需要几分钟，电脑要能上网或能访问单位的软件源）……
".venv\Scripts\python.exe" -m pip install --upgrade pip >nul 2>nul
".venv\Scripts\python.exe" -m pip install -e .
if errorlevel 1 goto :fail
echo.
call "%~dp0xinao-xl.bat" --version
call "%~dp0xinao-xl.bat" doctor
echo.
echo 安装完成。在本文件夹的地址栏输入 cmd 回车，打开命令提示符，再输入 xinao-xl demo 运行示例月份（见使用说明第 2 节）。
pause
exit /b 0
:nopython
echo 没有找到 Python 3.11 或更高版本。
echo 请从 https://www.python.org/downloads/windows/ 下载安装，安装时勾选“Add python.exe to PATH”，然后再运行本文件。
goto :fail
:fail
echo 安装没有完成。请把这个窗口里的提示截图发给维护人员。
pause
exit /b 1
