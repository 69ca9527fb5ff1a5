import Testing

@testable import CorralContainer

/// The Dockerfile parser: instructions, continuations, comments, both process forms, word rules
/// and variables, and errors that name the line and the instruction.
@Suite struct DockerfileParserTests {
    private func commands(_ text: String, _ variables: [String: String]? = nil) throws -> [DockerfileCommand]
    {
        try Dockerfile(parsing: text).instructions.map { instruction in
            try instruction.command(expanding: variables.map { table in { table[$0] } })
        }
    }

    @Test func everyInstructionParses() throws {
        let text = """
            # syntax is ignored, a comment
            ARG BASE=busybox
            FROM $BASE AS build
            RUN echo hi && \\
                echo there
            RUN ["/bin/echo", "exec form"]
            COPY --chown=10:20 a b /dst/
            ADD file.txt /opt/
            ENV A=1 B="two words"
            ENV LEGACY the rest of the line
            WORKDIR /app
            USER nobody
            EXPOSE 80 53/udp
            LABEL org.example.name="the name" version=2
            ENTRYPOINT ["/bin/tini", "--"]
            CMD echo done
            """
        let parsed = try commands(text)
        #expect(
            parsed == [
                .arg(name: "BASE", defaultValue: "busybox"),
                .from(image: "$BASE", alias: "build"),
                .run(.shell("echo hi && echo there")),
                .run(.exec(["/bin/echo", "exec form"])),
                .copy(sources: ["a", "b"], destination: "/dst/", chown: "10:20"),
                .add(sources: ["file.txt"], destination: "/opt/", chown: nil),
                .env([KeyValue(key: "A", value: "1"), KeyValue(key: "B", value: "two words")]),
                .env([KeyValue(key: "LEGACY", value: "the rest of the line")]),
                .workdir("/app"),
                .user("nobody"),
                .expose(["80/tcp", "53/udp"]),
                .label([
                    KeyValue(key: "org.example.name", value: "the name"),
                    KeyValue(key: "version", value: "2"),
                ]),
                .entrypoint(.exec(["/bin/tini", "--"])),
                .cmd(.shell("echo done")),
            ]
        )
        #expect(
            try Dockerfile(parsing: text).instructions.map(\.line) == [
                2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            ]
        )
    }

    @Test func continuationsSkipCommentsAndBlankLinesAndKeepTheFirstLine() throws {
        let dockerfile = try Dockerfile(parsing: "FROM scratch\n\nRUN a \\\n# inside\n  b \\\n\n  c\nCMD x\n")
        #expect(dockerfile.instructions.map(\.line) == [1, 3, 8])
        #expect(try dockerfile.instructions[1].command(expanding: nil) == .run(.shell("a b c")))
    }

    @Test func theEscapeDirectiveChangesTheContinuationCharacter() throws {
        let dockerfile = try Dockerfile(parsing: "# escape=`\nFROM scratch\nRUN dir c:\\ `\n  && echo\n")
        #expect(try dockerfile.instructions[1].command(expanding: nil) == .run(.shell("dir c:\\ && echo")))
    }

    @Test func variablesExpandInTheInstructionsDockerExpands() throws {
        let variables = ["DIR": "/srv", "NAME": "app", "EMPTY": ""]
        let text = """
            FROM busybox
            WORKDIR ${DIR}/$NAME
            COPY $NAME.conf ${MISSING:-default}/ ${DIR:+set}/
            ENV PATH_X=${DIR}/bin Q='$DIR' E="${EMPTY:-fallback}" ESC=\\$DIR
            RUN echo $DIR
            """
        let parsed = try commands(text, variables)
        #expect(parsed[1] == .workdir("/srv/app"))
        #expect(parsed[2] == .copy(sources: ["app.conf", "default/"], destination: "set/", chown: nil))
        #expect(
            parsed[3]
                == .env([
                    KeyValue(key: "PATH_X", value: "/srv/bin"), KeyValue(key: "Q", value: "$DIR"),
                    KeyValue(key: "E", value: "fallback"), KeyValue(key: "ESC", value: "$DIR"),
                ])
        )
        #expect(parsed[4] == .run(.shell("echo $DIR")), "RUN is left to its shell")
    }

    @Test func aShellFormThatIsNotValidJSONStaysShell() throws {
        #expect(try commands("FROM x\nCMD [not json")[1] == .cmd(.shell("[not json")))
        #expect(ProcessForm.shell("a b").arguments == ["/bin/sh", "-c", "a b"])
    }

    @Test(arguments: [
        ("FROM busybox\n\n\n\n\n\nCOPY onlyone", "Dockerfile:7: COPY needs a source and a destination"),
        ("RUN echo\nFROM a", "Dockerfile:1: RUN only ARG may come before FROM"),
        (
            "# just a comment\n",
            "Dockerfile:1: FROM the Dockerfile has no FROM; start it with FROM <image> or FROM scratch"
        ),
        (
            "FROM a\nFROM b",
            "Dockerfile:2: FROM a second FROM (a multi-stage build) is not supported; build each stage as its own image"
        ),
        (
            "FROM a\nVOLUME /data",
            "Dockerfile:2: VOLUME is not an instruction Corral builds (it builds ADD, ARG, CMD, COPY, ENTRYPOINT, ENV, EXPOSE, FROM, LABEL, RUN, USER, WORKDIR)"
        ),
        ("FROM a\nRUN", "Dockerfile:2: RUN needs a command, as a shell line or a JSON array"),
        ("FROM a\nENV", "Dockerfile:2: ENV needs NAME=value pairs"),
        ("FROM a\nLABEL novalue", "Dockerfile:2: LABEL needs NAME=value pairs, not 'novalue'"),
        (
            "FROM a\nEXPOSE http",
            "Dockerfile:2: EXPOSE needs ports as NUMBER or NUMBER/tcp|udp|sctp, not 'http'"
        ),
        (
            "FROM a\nCOPY --from=build /x /y",
            "Dockerfile:2: COPY does not take the flag --from=build (Corral's COPY takes --chown=…)"
        ),
        ("FROM a\nENV A=\"open", "Dockerfile:2: ENV has an unterminated \" quote"),
        (
            "FROM a b c",
            "Dockerfile:1: FROM needs an image, optionally followed by AS <name>: FROM busybox AS base"
        ),
        ("FROM a\n  \\\nWORKDIR", "Dockerfile:2: WORKDIR needs a directory"),
        ("FROM a\nARG", "Dockerfile:2: ARG needs one name, optionally with a default: ARG VERSION=1.0"),
    ])
    func badDockerfilesNameTheLineAndInstruction(text: String, message: String) {
        let error = #expect(throws: DockerfileError.self) { try Dockerfile(parsing: text) }
        #expect(error?.description == message)
    }

    @Test func configInstructionsChangeTheConfig() {
        var config = ImageConfig(env: ["PATH=/bin", "A=old"], cmd: ["sh"])
        config = BuildConfig.apply(.env([KeyValue(key: "A", value: "new")]), to: config)
        config = BuildConfig.apply(.workdir("app"), to: config)
        config = BuildConfig.apply(.workdir("../srv/./x"), to: config)
        config = BuildConfig.apply(.expose(["80/tcp"]), to: config)
        config = BuildConfig.apply(.label([KeyValue(key: "k", value: "v")]), to: config)
        config = BuildConfig.apply(.entrypoint(.exec(["/entry"])), to: config)
        #expect(config.env == ["PATH=/bin", "A=new"])
        #expect(config.workingDir == "/srv/x")
        #expect(config.exposedPorts == ["80/tcp": EmptyObject()])
        #expect(config.labels == ["k": "v"])
        #expect(config.entrypoint == ["/entry"] && config.cmd.isEmpty, "an ENTRYPOINT resets the base's CMD")
        config = BuildConfig.apply(.cmd(.shell("run")), to: config)
        config = BuildConfig.apply(.entrypoint(.shell("go")), to: config, cmdSet: true)
        #expect(config.cmd == ["/bin/sh", "-c", "run"], "but not one this Dockerfile set")
    }

    @Test func dockerignorePatterns() {
        let ignore = DockerIgnore(
            """
            # comment
            *.log
            build/
            **/secret*
            docs/**/*.md
            !docs/keep/README.md
            /tmp
            """
        )
        #expect(ignore.excludes("app.log"))
        #expect(!ignore.excludes("sub/app.log"), "* does not cross a /")
        #expect(ignore.excludes("build/out/a.o"), "a matched directory takes everything under it")
        #expect(
            ignore.excludes("a/b/secret.txt") && ignore.excludes("secret"),
            "** matches none or many components"
        )
        #expect(ignore.excludes("docs/x/y/z.md") && ignore.excludes("docs/z.md"))
        #expect(!ignore.excludes("docs/keep/README.md"), "! takes a path back")
        #expect(ignore.mayIncludeUnder("docs") && ignore.mayIncludeUnder("docs/keep"))
        #expect(!ignore.mayIncludeUnder("build"))
        #expect(ignore.excludes("tmp/x") && !ignore.excludes("main.swift"))
    }
}
