/// JSON written after the examples in Apache Mesos's `docs/scheduler-http-api.md`, filled in
/// with the fields of `include/mesos/v1/mesos.proto` where the docs write `...`.
enum MesosSamples {
    static let subscribeCall = """
        {
           "type"      : "SUBSCRIBE",
           "subscribe" : {
              "framework_info" : {
                "user" :  "foo",
                "name" :  "Example HTTP Framework",
                "roles": ["test"],
                "capabilities" : [{"type": "MULTI_ROLE"}, {"type": "SOMETHING_FROM_THE_FUTURE"}]
              },
              "force" : true
          }
        }
        """

    static let subscribedEvent = """
        {
         "type"       : "SUBSCRIBED",
         "subscribed" : {
             "framework_id"               : {"value":"12220-3440-12532-2345"},
             "heartbeat_interval_seconds" : 15
          }
        }
        """

    static let offersEvent = """
        {
          "type"   : "OFFERS",
          "offers" : [
            {
              "id"           : {"value": "12214-23523-O235235"},
              "framework_id" : {"value": "12124-235325-32425"},
              "agent_id"     : {"value": "12325-23523-S23523"},
              "hostname"     : "agent.host",
              "url" : {"scheme": "http", "address": {"hostname": "agent.host", "ip": "10.0.0.7", "port": 5051},
                       "path": "/slave(1)"},
              "resources"    : [
                {"name": "cpus", "type": "SCALAR", "scalar": {"value": 3.9}, "role": "*",
                 "allocation_info": {"role": "test"}},
                {"name": "mem", "type": "SCALAR", "scalar": {"value": 14895.0}, "role": "*",
                 "allocation_info": {"role": "test"}},
                {"name": "disk", "type": "SCALAR", "scalar": {"value": 26541.0}, "role": "*",
                 "allocation_info": {"role": "test"}},
                {"name": "ports", "type": "RANGES",
                 "ranges": {"range": [{"begin": 31000, "end": 31004}, {"begin": 31006, "end": 32000}]},
                 "reservations": [{"type": "STATIC", "role": "test"}],
                 "allocation_info": {"role": "test"}}
              ],
              "attributes"   : [
                {"name": "rack", "type": "TEXT", "text": {"value": "r7"}},
                {"name": "ssd", "type": "SET", "set": {"item": ["yes"]}}
              ],
              "executor_ids" : [],
              "allocation_info": {"role": "test"},
              "domain": {"fault_domain": {"region": {"name": "us-west"}, "zone": {"name": "us-west-2a"}}}
            },
            {
              "offer_id"     : {"value": "12214-23523-O235236"},
              "framework_id" : {"value": "12124-235325-32425"},
              "agent_id"     : {"value": "12325-23523-S23524"},
              "hostname"     : "agent2.host"
            }
          ]
        }
        """

    static let updateEvent = """
        {
          "type"   : "UPDATE",
          "update" : {
            "status" : {
                "task_id" : { "value" : "12344-my-task"},
                "state"   : "TASK_RUNNING",
                "source"  : "SOURCE_EXECUTOR",
                "uuid"    : "adfadfadbhgvjayd23r2uahj",
                "bytes"   : "uhdjfhuagdj63d7hadkf",
                "agent_id": {"value": "12325-23523-S23523"},
                "timestamp": 1476989245.36412,
                "healthy" : true,
                "container_status": {"container_id": {"value": "8d5e1a5b"}, "executor_pid": 1234,
                  "network_infos": [{"ip_addresses": [{"protocol": "IPv4", "ip_address": "10.0.0.7"}]}]}
              }
          }
        }
        """

    static let acceptLaunchCall = """
        {
          "framework_id" : {"value" : "12220-3440-12532-2345"},
          "type"         : "ACCEPT",
          "accept"       : {
            "offer_ids"  : [ {"value" : "12220-3440-12532-O12"} ],
            "operations" : [ {"type" : "LAUNCH", "launch" : {"task_infos": [
              {
                "name": "My Task",
                "task_id": {"value": "12220-3440-12532-my-task"},
                "agent_id": {"value": "83ff1a13-b2ed-4b9d-9a5e-8ae8b2e0a5b0-S0"},
                "executor": {
                  "executor_id": {"value": "my-executor"},
                  "command": {"shell": true, "value": "./my-executor"}
                },
                "command": {
                  "shell": false, "value": "/usr/bin/env", "arguments": ["env", "-i"],
                  "environment": {"variables": [{"name": "FOO", "type": "VALUE", "value": "bar"},
                                                {"name": "TOKEN", "type": "SECRET",
                                                 "secret": {"type": "REFERENCE", "reference": {"name": "t"}}}]},
                  "uris": [{"value": "http://example.invalid/app.tgz", "extract": true, "cache": false}]
                },
                "container": {
                  "type": "MESOS",
                  "mesos": {"image": {"type": "DOCKER", "docker": {"name": "library/redis"}}},
                  "volumes": [{"mode": "RW", "container_path": "data", "source":
                               {"type": "SANDBOX_PATH", "sandbox_path": {"type": "SELF", "path": "data"}}}],
                  "network_infos": [{"name": "mesos-bridge"}],
                  "linux_info": {"share_pid_namespace": false}
                },
                "resources": [
                  {"name": "cpus", "type": "SCALAR", "scalar": {"value": 1.0}, "role": "*"},
                  {"name": "mem", "type": "SCALAR", "scalar": {"value": 128.0}, "role": "*"}
                ],
                "data": "aGVsbG8=",
                "labels": {"labels": [{"key": "k", "value": "v"}]},
                "kill_policy": {"grace_period": {"nanoseconds": 3000000000}},
                "health_check": {"type": "COMMAND", "command": {"value": "true"}, "delay_seconds": 5},
                "check": {"type": "COMMAND", "command": {"command": {"value": "true"}}}
              }
            ]}} ],
            "filters"    : {"refuse_seconds" : 5.0}
          }
        }
        """

    static let errorEvent = """
        {
          "type"    : "ERROR",
          "message" : "Framework is not authorized"
        }
        """
}
