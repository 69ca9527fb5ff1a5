/// The entry point. The container spawner is started before anything else (see
/// `ContainerSpawner.runFirstIfAsked`); every other command goes through `Corral`.
@main
enum CorralMain {
    static func main() async {
        ContainerSpawner.runFirstIfAsked(CommandLine.arguments)
        await Corral.main()
    }
}
