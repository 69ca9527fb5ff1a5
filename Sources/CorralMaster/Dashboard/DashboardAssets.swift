/// The web dashboard's files, built into the binary as text (no bundle resources, no CDN:
/// the page needs nothing but the master that serves it). Plain HTML, CSS and JavaScript;
/// the scripts load in the order `index` lists them.
enum DashboardAssets {
    /// One file and its media type.
    struct File: Sendable {
        var type: String
        var text: String
    }

    /// The page at `/`.
    static let index = File(type: "text/html; charset=utf-8", text: DashboardPage.html)

    /// The files under `/ui/`, by name.
    static let files: [String: File] = [
        "dashboard.css": File(type: "text/css; charset=utf-8", text: DashboardStyle.css),
        "core.js": script(DashboardScript.core),
        "stream.js": script(DashboardScript.stream),
        "views.js": script(DashboardScript.views),
        "tables.js": script(DashboardScript.tables),
        "plots.js": script(DashboardScript.plots),
        "sandbox.js": script(DashboardScript.sandbox),
    ]

    private static func script(_ text: String) -> File {
        File(type: "text/javascript; charset=utf-8", text: text)
    }
}

/// The dashboard's scripts, one extension per file.
enum DashboardScript {}
