import CorralTestSupport
import Foundation
import Testing

@testable import CorralContainer

/// `corral image build`, run as a user runs it: the built binary, a private state root, a busybox
/// base imported from Debian's busybox-static, and real containers for every `RUN`.
@Suite(.serialized, .enabled(if: geteuid() == 0)) struct ImageBuildCommandTests {
    static let dockerfile = """
        FROM busybox
        ARG GREETING=hello
        ENV APP_HOME=/srv/app
        WORKDIR $APP_HOME
        RUN echo "$GREETING from $APP_HOME" > greeting && mkdir -p /data/old && echo x > /data/old/f && rm /bin/vi
        COPY app/ ./
        RUN rm -r /data/old && touch /data/new
        LABEL stage=test
        EXPOSE 8080
        CMD ["cat", "greeting"]
        """

    @Test func aMultiStepBuildRunsCachesAndUnpacks() throws {
        let workspace = try Workspace("build")
        defer { workspace.remove() }
        try workspace.write("Dockerfile", Self.dockerfile)
        try workspace.write(".dockerignore", "**/*.log\n!app/keep.log\nsecret\n")
        try workspace.write("app/main.txt", "v1")
        try workspace.write("app/skip.log", "ignored")
        try workspace.write("app/keep.log", "kept")
        try workspace.write("app/sub/deep.txt", "deep")
        try workspace.write("secret/key", "no")

        let first = try workspace.build(["-t", "app:1"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("Step 1/10 : FROM busybox"), "\(first.output)")
        #expect(first.output.contains("Step 6/10 : COPY app/ ./"))
        #expect(first.output.contains("Successfully tagged app:1"))
        #expect(!first.output.contains("Using cache"))
        workspace.expectNothingLeft()

        // The config: ENV, WORKDIR, CMD, LABEL, EXPOSE, and a history entry a step.
        let store = try ImageStore(root: workspace.sandbox.root)
        let details = try store.inspect("app:1")
        #expect(details.config.env.contains("APP_HOME=/srv/app"))
        #expect(details.config.workingDir == "/srv/app")
        #expect(details.config.cmd == ["cat", "greeting"])
        #expect(details.config.labels == ["stage": "test"])
        #expect(details.config.exposedPorts == ["8080/tcp": EmptyObject()])
        #expect(details.layers.count == 5, "busybox, WORKDIR's new directory, RUN, COPY, RUN")
        let history = try store.resolve("app:1").configFile.history ?? []
        #expect(history.count == 9 && history.filter { $0.emptyLayer != true }.count == 5, "\(history)")

        // Run the image: what RUN wrote and deleted, what COPY took and what .dockerignore left out.
        let run = try Self.corral(["container", "run", "--net", "none", "--image", "app:1"] + workspace.root + ["--"])
        #expect(run.status == 0 && run.output.contains("hello from /srv/app"), "\(run.output)")
        let look = try Self.corral(
            ["container", "run", "--net", "none", "--image", "app:1"] + workspace.root
                + ["--", "/bin/sh", "-c", "ls /data; test -e /bin/vi && echo vi-left; ls -R; cat main.txt"]
        )
        #expect(look.status == 0, "\(look.output)")
        #expect(
            look.output.contains("new") && !look.output.contains("old"),
            "a directory an earlier layer made is deleted: \(look.output)"
        )
        #expect(!look.output.contains("vi-left"), "a base file is deleted: \(look.output)")
        #expect(
            look.output.contains("keep.log") && look.output.contains("deep.txt") && look.output.contains("v1")
        )
        #expect(!look.output.contains("skip.log") && !look.output.contains("secret"), "\(look.output)")

        // Unchanged (an ignored file changed, another image imported and collected): all cached.
        try workspace.write("app/skip.log", "changed but ignored")
        #expect(
            try Self.corral(
                ["image", "import-rootfs", "other", try TestSandbox.busybox.get().directory] + workspace.root
            ).status == 0
        )
        let second = try workspace.build(["-t", "app:2"])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.components(separatedBy: " ---> Using cache").count - 1 == 8, "\(second.output)")
        #expect(
            try store.inspect("app:2").manifestDigest == details.manifestDigest,
            "the same steps make the same image"
        )

        // A context file changes: the steps before COPY are cached, COPY and after run again.
        try workspace.write("app/main.txt", "v2")
        let third = try workspace.build(["-t", "app:3"])
        #expect(third.status == 0, "\(third.output)")
        #expect(third.output.components(separatedBy: " ---> Using cache").count - 1 == 3, "\(third.output)")
        let changed = try store.inspect("app:3")
        #expect(changed.manifestDigest != details.manifestDigest)
        #expect(
            Array(changed.layers.prefix(3)) == Array(details.layers.prefix(3)),
            "the layers before COPY are shared"
        )

        // A build argument reaches RUN and misses its cache; --no-cache runs everything.
        let argued = try workspace.build([
            "-t", "app:4", "--build-arg", "GREETING=hey", "--build-arg", "UNUSED=1",
        ])
        #expect(argued.output.components(separatedBy: " ---> Using cache").count - 1 == 2, "\(argued.output)")
        #expect(argued.output.contains("[Warning] One or more build-args [UNUSED] were not consumed"))
        #expect(
            try Self.corral(["container", "run", "--net", "none", "--image", "app:4"] + workspace.root + ["--"]).output
                .contains("hey from /srv/app")
        )
        let uncached = try workspace.build(["--no-cache"])
        #expect(uncached.status == 0 && !uncached.output.contains("Using cache"), "\(uncached.output)")
        let digest = try #require(
            uncached.output.split(separator: "\n").last { $0.hasPrefix("Successfully built ") }?.split(
                separator: " "
            ).last
        )
        let byDigest = try Self.corral(
            ["container", "run", "--net", "none", "--image", String(digest)] + workspace.root + ["--", "cat", "main.txt"]
        )
        #expect(
            byDigest.status == 0 && byDigest.output == "v2",
            "an unnamed build is found by its digest: \(byDigest.output)"
        )
        #expect(try Self.corral(["image", "rm", String(digest)] + workspace.root).status == 0)

        // A cache file that cannot be read is an empty cache, not a failed build.
        try "{torn".write(
            toFile: workspace.sandbox.root + "/images/build-cache.json",
            atomically: false,
            encoding: .utf8
        )
        let afterDamage = try workspace.build(["-t", "app:5"])
        #expect(
            afterDamage.status == 0 && !afterDamage.output.contains("Using cache"),
            "\(afterDamage.output)"
        )

        // Pruning the cache keeps the named images and forgets the steps.
        #expect(try Self.corral(["image", "prune-build-cache"] + workspace.root).status == 0)
        #expect(
            try Self.corral(["container", "run", "--net", "none", "--image", "app:1"] + workspace.root + ["--"]).output
                .contains("hello from /srv/app")
        )
        let afterPrune = try workspace.build(["-t", "app:6"])
        #expect(afterPrune.status == 0 && !afterPrune.output.contains("Using cache"), "\(afterPrune.output)")
        workspace.expectNothingLeft()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci")))
    func aBuiltImageSavedAsAnOCILayoutUnpacksWithUmoci() throws {
        let workspace = try Workspace("umoci")
        defer { workspace.remove() }
        try workspace.write("Dockerfile", Self.dockerfile)
        try workspace.write("app/main.txt", "v1")
        let built = try workspace.build(["-t", "app:1"])
        try #require(built.status == 0, "\(built.output)")
        let archive = workspace.sandbox.root + "/app.tar"
        #expect(try Self.corral(["image", "save", "-o", archive, "app:1"] + workspace.root).status == 0)
        let out = workspace.sandbox.root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = try ImageTestSupport.run("/bin/tar", ["-C", out, "-xf", archive])
        _ = try ImageTestSupport.run(
            "/usr/bin/umoci",
            ["unpack", "--image", "out:app:1", "bundle"],
            directory: workspace.sandbox.root
        )
        let rootfs = workspace.sandbox.root + "/bundle/rootfs"
        #expect(
            try String(contentsOfFile: rootfs + "/srv/app/greeting", encoding: .utf8)
                == "hello from /srv/app\n"
        )
        #expect(try String(contentsOfFile: rootfs + "/srv/app/main.txt", encoding: .utf8) == "v1")
        #expect(FileManager.default.fileExists(atPath: rootfs + "/data/new"))
        #expect(!FileManager.default.fileExists(atPath: rootfs + "/data/old"), "whiteouts are read by umoci")
        #expect(!FileManager.default.fileExists(atPath: rootfs + "/bin/vi"))
        let config = try String(
            contentsOfFile: workspace.sandbox.root + "/bundle/config.json",
            encoding: .utf8
        )
        #expect(config.contains("APP_HOME=/srv/app") && config.contains("\"cwd\": \"/srv/app\""), "\(config)")
    }

    /// What `image build` makes runs under runc too: unpacked by umoci, the bundle's process
    /// replaced by one that prints, run with a state root of the test's own.
    @Test func aBuiltImageUnpackedByUmociRunsWithRunc() throws {
        let workspace = try Workspace("runc")
        defer { workspace.remove() }
        try workspace.write("Dockerfile", Self.dockerfile)
        try workspace.write("app/main.txt", "v1")
        try #require(try workspace.build(["-t", "app:1"]).status == 0)
        let archive = workspace.sandbox.root + "/app.tar"
        #expect(try Self.corral(["image", "save", "-o", archive, "app:1"] + workspace.root).status == 0)
        let out = workspace.sandbox.root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = try ImageTestSupport.run("/bin/tar", ["-C", out, "-xf", archive])
        _ = try ImageTestSupport.run("/usr/bin/umoci", ["unpack", "--image", "out:app:1", "bundle"], directory: workspace.sandbox.root)
        let configPath = workspace.sandbox.root + "/bundle/config.json"
        var config = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
        var process = try #require(config["process"] as? [String: Any])
        process["terminal"] = false
        process["args"] = ["/bin/sh", "-c", "cat main.txt; echo \" $APP_HOME\"; cat greeting"]
        config["process"] = process
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let state = workspace.sandbox.root + "/runc-state"
        let id = "corral-test-\(workspace.sandbox.id)"
        defer { _ = try? CombinedOutput.run("/usr/sbin/runc", ["--root", state, "delete", "--force", id]) }
        let ran = try CombinedOutput.run(
            "/usr/sbin/runc", ["--root", state, "run", "--bundle", workspace.sandbox.root + "/bundle", id])
        #expect(ran.status == 0, "\(ran.output)")
        #expect(ran.output.contains("v1 /srv/app") && ran.output.contains("hello from /srv/app"), "\(ran.output)")
    }

    @Test func userAndChownComeFromTheImagesOwnPasswd() throws {
        let workspace = try Workspace("user")
        defer { workspace.remove() }
        try workspace.write("owned.txt", "mine")
        try workspace.write(
            "Dockerfile",
            """
            FROM busybox
            RUN echo "app:x:1000:1001::/:/bin/sh" >> /etc/passwd && echo "app:x:1001:" >> /etc/group && mkdir -m 777 /shared
            COPY --chown=app:app owned.txt /shared/
            USER app
            RUN ["/bin/sh", "-c", "id -u > /shared/ids && id -g >> /shared/ids"]
            """
        )
        let built = try workspace.build(["-t", "users"])
        #expect(built.status == 0, "\(built.output)")
        let look = try Self.corral(
            ["container", "run", "--net", "none", "--image", "users"] + workspace.root + [
                "--", "/bin/sh", "-c", "cat /shared/ids; stat -c %u:%g /shared/owned.txt",
            ]
        )
        #expect(look.output == "1000\n1001\n1000:1001\n", "\(look.output)")
        #expect(try ImageStore(root: workspace.sandbox.root).config(forImage: "users").user == "app")
        workspace.expectNothingLeft()
    }

    @Test func anArgBeforeFromNamesTheBaseAndScratchTakesCopies() throws {
        let workspace = try Workspace("scratch")
        defer { workspace.remove() }
        try workspace.write("hello.txt", "hi")
        try workspace.write("Dockerfile", "ARG BASE=nothing\nFROM $BASE AS first\nRUN test -x /bin/sh\n")
        let argued = try workspace.build(["--build-arg", "BASE=busybox", "-t", "from-arg"])
        #expect(
            argued.status == 0 && argued.output.contains("Step 1/2 : FROM $BASE AS first"),
            "\(argued.output)"
        )
        let missing = try workspace.build()
        #expect(
            missing.status == 1 && missing.output.contains("Dockerfile:2: FROM cannot use 'nothing'"),
            "\(missing.output)"
        )

        try workspace.write("Dockerfile", "FROM scratch\nCOPY hello.txt /\nCMD [\"/hello.txt\"]\n")
        let scratch = try workspace.build(["-t", "tiny"])
        #expect(scratch.status == 0, "\(scratch.output)")
        let details = try ImageStore(root: workspace.sandbox.root).inspect("tiny")
        #expect(details.layers.count == 1 && details.config.cmd == ["/hello.txt"])
        let layer = try #require(details.layers.first?.directory)
        #expect(try Syscall.listDirectory(layer) == ["hello.txt"])
        workspace.expectNothingLeft()
    }

    @Test func sourcesOutsideTheContextAreRefused() throws {
        let workspace = try Workspace("escape")
        defer { workspace.remove() }
        try workspace.write("inside.txt", "in")
        #expect(symlink("/etc", workspace.context + "/etc-link") == 0)
        #expect(symlink("../../..", workspace.context + "/up") == 0)
        for (source, expected) in [
            ("../x", "outside the build context"), ("etc-link/passwd", "outside the build context"),
            ("up/etc", "outside the build context"), ("missing.txt", "not in the build context"),
        ] {
            try workspace.write("Dockerfile", "FROM busybox\nCOPY inside.txt /ok\nCOPY \(source) /x\n")
            let refused = try workspace.build()
            #expect(refused.status == 1, "\(refused.output)")
            #expect(
                refused.output.contains("Dockerfile:3: COPY failed") && refused.output.contains(expected),
                "\(source): \(refused.output)"
            )
        }
        try workspace.write("Dockerfile", "FROM busybox\nRUN true\nCOPY onlyone\n")
        let bad = try workspace.build()
        #expect(
            bad.status == 1 && bad.output.contains("Dockerfile:3: COPY needs a source and a destination"),
            "\(bad.output)"
        )
        #expect(!bad.output.contains("Step 1"), "a bad Dockerfile is refused before any step runs")
        workspace.expectNothingLeft()
    }
}
