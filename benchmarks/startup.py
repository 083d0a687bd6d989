"""Start-up: what a command or a ribbon click pays before any work.

Every ribbon button starts a Python process (xlwings' RunPython) that imports
``xinao_xl.excel.ribbon`` and runs the button's handler; every command line starts one
that builds the parser. Measured as whole processes, each repetition running all of them
one after the other beside the bare interpreter (the floor no code of ours can go under)
and ``import xlwings`` (the floor of a ribbon click).
"""

from __future__ import annotations

from .measure import Series, goal, goal_line, line, python, run, xinao_xl

VERSION_GOAL = 0.15

CASES: dict[str, list[str]] = {
    "python -c pass（解释器本身）": python("-c", "pass"),
    "xinao-xl --version": xinao_xl("--version"),
    "xinao-xl --help": xinao_xl("--help"),
    "xinao-xl close --help": xinao_xl("close", "--help"),
    "import xlwings（每次点击都要）": python("-c", "import xlwings"),
    "功能区：import xinao_xl.excel.ribbon": python("-c", "import xinao_xl.excel.ribbon"),
    # a button's handler imports its use case when it runs: the ribbon and that module
    "功能区“今日待办”：ribbon + services.today": python("-c", "import xinao_xl.excel.ribbon, xinao_xl.services.today"),
    "功能区“月度结账”：ribbon + services.close": python("-c", "import xinao_xl.excel.ribbon, xinao_xl.services.close"),
}


def run_startup(quick: bool, repeat: int) -> None:
    print(f"\n== 启动：进程从开始到结束（秒；{repeat} 次，每次依次运行全部）", flush=True)
    cases = dict(CASES)
    times: dict[str, Series] = {k: Series() for k in cases}
    for i in range(repeat):
        order = list(cases) if i % 2 == 0 else list(reversed(cases))
        for name in order:
            times[name].add(run(cases[name]).seconds)
    for name, s in times.items():
        if name == "xinao-xl --version":
            print(goal_line(goal("xinao-xl --version（秒）", s, f"≤ {VERSION_GOAL} s", lambda v: v <= VERSION_GOAL)))
        else:
            print(line(name, s.text()))
    goal("xinao-xl --help（秒）", times["xinao-xl --help"], "参考（同 --version 的导入）", None)
    goal("功能区 import xinao_xl.excel.ribbon（秒）", times["功能区：import xinao_xl.excel.ribbon"],
         f"参考（import xlwings {times['import xlwings（每次点击都要）'].text()}）", None)
