/// The dashboard's style sheet.
enum DashboardStyle {
    static let css = #"""
        :root { --fg: #1d232a; --muted: #6b7580; --line: #dde2e7; --bg: #f6f8fa; --ok: #1f883d; --warn: #bf8700; --bad: #cf222e; --accent: #0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; gap: 16px; align-items: baseline; padding: 10px 18px; background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
        h1 { font-size: 18px; margin: 0; }
        h2 { font-size: 14px; margin: 0 0 8px; }
        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(640px, 1fr)); gap: 14px; padding: 14px 18px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
        #tasks-section, #plots-section, #sandbox-section, #agents-section, #frameworks-section { grid-column: 1 / -1; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--line); white-space: nowrap; vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        td.wrap, #agents td { white-space: normal; }
        .muted { color: var(--muted); }
        .badge { padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; }
        .ok { background: var(--ok); } .warn { background: var(--warn); } .bad { background: var(--bad); }
        .state-ok { color: var(--ok); font-weight: 600; } .state-warn { color: var(--warn); font-weight: 600; } .state-bad { color: var(--bad); font-weight: 600; }
        tr.leader td { font-weight: 600; }
        tr.leader td:first-child::before { content: "\2605 "; color: var(--warn); }
        #leader { font-weight: 600; }
        #tasks tbody tr { cursor: pointer; }
        #tasks tbody tr:hover { background: #eef4fb; }
        .controls { display: flex; gap: 10px; align-items: center; margin-bottom: 6px; }
        .controls input { width: 320px; padding: 3px 6px; }
        .plots { display: flex; flex-wrap: wrap; gap: 18px; }
        figure { margin: 0; }
        figcaption { color: var(--muted); margin-bottom: 2px; }
        canvas { border: 1px solid var(--line); border-radius: 4px; background: #fbfcfd; }
        .sandbox { display: grid; grid-template-columns: 300px 1fr; gap: 12px; }
        #sandbox-files { list-style: none; margin: 0; padding: 0; }
        #sandbox-files li { cursor: pointer; padding: 1px 0; }
        #sandbox-files li:hover { color: var(--accent); }
        pre { margin: 0; max-height: 360px; overflow: auto; background: #0d1117; color: #e6edf3; padding: 8px; border-radius: 4px; font-size: 12px; }
        #events { margin: 0; padding-left: 28px; max-height: 240px; overflow-y: auto; font-family: ui-monospace, monospace; font-size: 12px; }
        """#
}
