import CorralMaster
import Testing

@Suite struct AllocatorResourceQuantitiesTests {
    @Test func arithmeticIsExactInThousandths() {
        let a = ResourceQuantities(["cpus": 0.1, "mem": 128])
        let b = ResourceQuantities(["cpus": 0.2, "gpus": 1])
        #expect((a + b)["cpus"] == 300)
        #expect((a + b).description == "cpus:0.3;gpus:1;mem:128")
        #expect((a + b - b) == a)
        #expect((a - b) == ResourceQuantities(["mem": 128]), "never below zero")
        #expect((a + b).contains(a) && !a.contains(b))
        #expect(ResourceQuantities(["cpus": 0]).isEmpty)
        #expect(ResourceQuantities(["cpus": 1.0006])["cpus"] == 1001, "rounded like Mesos")
    }
}
