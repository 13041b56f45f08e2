// Command session drives temporal-handled through a full session with
// github.com/sourcegraph/jsonrpc2 and its VS Code object codec (LSP base-protocol
// framing), and writes a JSON transcript to $TH_TRANSCRIPT. The session's inputs come in
// TH_* variables (see ../README.md): over stdio it spawns the daemon, with TH_SOCKET it
// dials the daemon's Unix socket.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
)

type step map[string]any

type transcript struct {
	Client        string          `json:"client"`
	ClientVersion string          `json:"clientVersion"`
	GoVersion     string          `json:"goVersion"`
	Transport     string          `json:"transport"`
	Steps         map[string]step `json:"steps"`
	Progress      []progress      `json:"progress"`
	Exit          map[string]any  `json:"exit,omitempty"`
	Notes         []string        `json:"notes"`
	Fatal         string          `json:"fatal,omitempty"`
	TotalMs       int64           `json:"totalMs"`
}

type progress struct {
	Token json.RawMessage `json:"token"`
	Value json.RawMessage `json:"value"`
}

// stdio joins the daemon's stdout and stdin into one io.ReadWriteCloser.
type stdio struct {
	io.ReadCloser
	io.WriteCloser
}

func (s stdio) Close() error {
	err := s.WriteCloser.Close()
	if e := s.ReadCloser.Close(); err == nil {
		err = e
	}
	return err
}

func libVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/sourcegraph/jsonrpc2" {
				return d.Version
			}
		}
	}
	return "unknown"
}

func ms(t0 time.Time) int64 { return time.Since(t0).Milliseconds() }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Printf("%s (%s)\n", libVersion(), runtime.Version())
		return
	}
	t := &transcript{Client: "go-jsonrpc2", ClientVersion: libVersion(), GoVersion: runtime.Version(), Transport: "stdio", Steps: map[string]step{}, Progress: []progress{}, Notes: []string{}}
	if os.Getenv("TH_SOCKET") != "" {
		t.Transport = "socket"
	}
	t0 := time.Now()
	if err := session(t); err != nil {
		t.Fatal = err.Error()
	}
	t.TotalMs = ms(t0)
	out, err := json.Marshal(t)
	if err == nil {
		err = os.WriteFile(os.Getenv("TH_TRANSCRIPT"), out, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func session(t *transcript) error {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	var rwc io.ReadWriteCloser
	var cmd *exec.Cmd
	if sock := os.Getenv("TH_SOCKET"); sock != "" {
		c, err := net.Dial("unix", sock)
		if err != nil {
			return err
		}
		rwc = c
	} else {
		cmd = exec.Command(os.Getenv("TH_NODE"), os.Getenv("TH_BIN"), "--stdio", "--address", os.Getenv("TH_ADDRESS"))
		in, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		rwc = stdio{out, in}
	}
	var mu sync.Mutex
	handler := jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		if req.Method == "$/progress" && req.Params != nil {
			var p progress
			if err := json.Unmarshal(*req.Params, &p); err != nil {
				return nil, err
			}
			mu.Lock()
			t.Progress = append(t.Progress, p)
			mu.Unlock()
		}
		return nil, nil
	})
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(rwc, jsonrpc2.VSCodeObjectCodec{}), handler)
	defer conn.Close()

	record := func(name string, t0 time.Time, raw json.RawMessage, err error) {
		s := step{"ms": ms(t0)}
		var rerr *jsonrpc2.Error
		switch {
		case err == nil:
			s["result"] = raw
		case errors.As(err, &rerr):
			e := map[string]any{"code": rerr.Code, "message": rerr.Message}
			if rerr.Data != nil {
				e["data"] = rerr.Data
			}
			s["error"] = e
		default:
			s["error"] = map[string]any{"code": "transport", "message": err.Error()}
		}
		t.Steps[name] = s
	}
	type obj = map[string]any
	call := func(name, method string, params any) json.RawMessage {
		t0 := time.Now()
		var raw json.RawMessage
		err := conn.Call(ctx, method, params, &raw)
		record(name, t0, raw, err)
		return raw
	}
	handleOf := func(raw json.RawMessage) string {
		var h struct{ Handle string }
		_ = json.Unmarshal(raw, &h)
		return h.Handle
	}
	client, tq, prefix := "go-jsonrpc2", os.Getenv("TH_TASK_QUEUE"), os.Getenv("TH_WF_PREFIX")

	call("initialize", "initialize", obj{"clientInfo": obj{"name": client, "version": libVersion()}, "processId": os.Getpid()})
	if err := conn.Notify(ctx, "initialized", obj{}); err != nil {
		return err
	}
	h := handleOf(call("start", "workflow/start", obj{"workflowType": "signals", "taskQueue": tq, "workflowId": prefix + "-signals"}))
	call("describe", "handle/describe", obj{"handle": h})
	call("query", "handle/query", obj{"handle": h, "query": "greet", "args": []any{"Grüße", client + " 🌍"}})
	call("signal", "handle/signal", obj{"handle": h, "signal": "add", "args": []any{"x"}})
	call("signalFinish", "handle/signal", obj{"handle": h, "signal": "finish"})
	call("result", "handle/result", obj{"handle": h})

	ch := handleOf(call("startChain", "workflow/start", obj{"workflowType": "chain", "taskQueue": tq, "workflowId": prefix + "-chain", "args": []any{2}}))
	call("resultWithProgress", "handle/result", obj{"handle": ch, "workDoneToken": "tp-progress"})

	fv := handleOf(call("startForever", "workflow/start", obj{"workflowType": "forever", "taskQueue": tq, "workflowId": prefix + "-forever"}))
	// A cancelled wait: the library sends no $/cancelRequest (a cancelled ctx only stops
	// waiting), so the request gets an ID we pick and the cancel is sent by hand.
	{
		t0 := time.Now()
		id := jsonrpc2.ID{Str: "cancel-" + prefix, IsString: true}
		w, err := conn.DispatchCall(ctx, "handle/result", obj{"handle": fv}, jsonrpc2.PickID(id))
		if err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
		if err := conn.Notify(ctx, "$/cancelRequest", obj{"id": id.Str}); err != nil {
			return err
		}
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		var raw json.RawMessage
		err = w.Wait(wctx, &raw)
		wcancel()
		record("cancelledResult", t0, raw, err)
		t.Steps["cancelledResult"]["id"] = id.Str
	}
	call("terminate", "handle/terminate", obj{"handle": fv, "reason": "third-party test"})
	call("describeTerminated", "handle/describe", obj{"handle": fv})
	call("release", "handle/release", obj{"handle": fv})
	call("describeReleased", "handle/describe", obj{"handle": fv})
	unknown := handleOf(call("getHandleUnknown", "workflow/getHandle", obj{"workflowId": prefix + "-does-not-exist"}))
	call("describeUnknown", "handle/describe", obj{"handle": unknown})

	// nil params: the library leaves "params" out.
	call("shutdown", "shutdown", nil)
	t1 := time.Now()
	if err := conn.Notify(ctx, "exit", nil); err != nil {
		return err
	}
	if cmd != nil {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Notes = append(t.Notes, "wait: "+err.Error())
			}
			t.Exit = map[string]any{"code": code, "ms": ms(t1)}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Exit = map[string]any{"code": nil, "ms": ms(t1)}
		}
	} else {
		select {
		case <-conn.DisconnectNotify():
			t.Exit = map[string]any{"closed": true, "ms": ms(t1)}
		case <-time.After(15 * time.Second):
			t.Exit = map[string]any{"closed": false, "ms": ms(t1)}
		}
	}
	return nil
}
