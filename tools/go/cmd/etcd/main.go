// Command etcd is the etcd server at the version k8s.io/kubernetes is built against
// (go.etcd.io/etcd/server/v3 in go.mod), so the test cluster needs no system package.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
