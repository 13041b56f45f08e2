;;; session.el --- drive temporal-handled with jsonrpc.el, as Eglot does  -*- lexical-binding: t; -*-
;;
;; Run: emacs --batch -Q -l session.el, with the session's inputs in TH_* variables
;; (see ../README.md). Uses Emacs's built-in jsonrpc.el the way Eglot uses it:
;; a `jsonrpc-process-connection' over a pipe process (stdio) or a local network
;; process (the Unix socket), `jsonrpc-request', `jsonrpc-notify', `jsonrpc-async-request',
;; keyword method names, an empty hash table for `{}' and nil (null) params for
;; `shutdown' and `exit'. Writes a JSON transcript to $TH_TRANSCRIPT.

(require 'cl-lib)
(require 'jsonrpc)
(require 'lisp-mnt)

(defvar th-conn nil)
(defvar th-steps (make-hash-table :test 'equal))
(defvar th-progress nil)
(defvar th-notes nil)
(defvar th-closed nil)
(defvar th-exit-status nil)

(defun th-ms (t0) (round (* 1000 (- (float-time) t0))))

(defun th-wait (pred seconds)
  "Run the event loop until PRED is non-nil or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (funcall pred)))

(defun th-error-plist (d)
  (list :code (alist-get 'jsonrpc-error-code d)
        :message (alist-get 'jsonrpc-error-message d)
        :data (alist-get 'jsonrpc-error-data d)))

(defun th-call (name method params)
  "Send METHOD with PARAMS synchronously, record step NAME, return the result."
  (let ((t0 (float-time)) step)
    (condition-case e
        (setq step (list :result (jsonrpc-request th-conn method params :timeout 60)))
      (jsonrpc-error (setq step (list :error (th-error-plist (cdr e))))))
    (puthash name (append (list :ms (th-ms t0)) step) th-steps)
    (plist-get step :result)))

(defun th-make-process (name)
  (let ((sock (getenv "TH_SOCKET")))
    (if sock
        (make-network-process :name name :family 'local :service sock
                              :coding 'utf-8-emacs-unix :noquery t)
      (make-process :name name
                    :command (list (getenv "TH_NODE") (getenv "TH_BIN") "--stdio" "--address" (getenv "TH_ADDRESS"))
                    :connection-type 'pipe :coding 'utf-8-emacs-unix :noquery t
                    :stderr (get-buffer-create (format "*%s stderr*" name))))))

(defun th-session ()
  (let* ((name "temporal-handled")
         (client "emacs")
         (tq (getenv "TH_TASK_QUEUE"))
         (prefix (getenv "TH_WF_PREFIX")))
    (setq th-conn
          (jsonrpc-process-connection
           :name name
           :process (lambda () (th-make-process name))
           :request-dispatcher #'ignore
           :notification-dispatcher (lambda (_conn method params)
                                      (when (eq method '$/progress) (push params th-progress)))
           :on-shutdown (lambda (conn)
                          (setq th-exit-status (process-exit-status (jsonrpc--process conn)))
                          (setq th-closed t))))
    (th-call "initialize" :initialize (list :clientInfo (list :name client :version emacs-version) :processId (emacs-pid)))
    (jsonrpc-notify th-conn :initialized (make-hash-table))
    (let* ((info (th-call "start" :workflow/start (list :workflowType "signals" :taskQueue tq :workflowId (concat prefix "-signals"))))
           (h (plist-get info :handle)))
      (th-call "describe" :handle/describe (list :handle h))
      (th-call "query" :handle/query (list :handle h :query "greet" :args (vector "Grüße" (concat client " 🌍"))))
      (th-call "signal" :handle/signal (list :handle h :signal "add" :args (vector "x")))
      (th-call "signalFinish" :handle/signal (list :handle h :signal "finish"))
      (th-call "result" :handle/result (list :handle h)))
    (let ((chain (th-call "startChain" :workflow/start (list :workflowType "chain" :taskQueue tq :workflowId (concat prefix "-chain") :args (vector 2)))))
      (th-call "resultWithProgress" :handle/result (list :handle (plist-get chain :handle) :workDoneToken "tp-progress")))
    (let* ((fv (th-call "startForever" :workflow/start (list :workflowType "forever" :taskQueue tq :workflowId (concat prefix "-forever"))))
           (h (plist-get fv :handle))
           (t0 (float-time)) done cerr id)
      ;; A cancelled wait, as Eglot cancels: the id of the request just sent, then $/cancelRequest.
      (jsonrpc-async-request th-conn :handle/result (list :handle h)
                             :success-fn (lambda (_r) (setq done t))
                             :error-fn (lambda (e) (setq cerr e))
                             :timeout 30)
      (setq id (jsonrpc--next-request-id th-conn))
      (th-wait (lambda () nil) 0.5)
      (jsonrpc-notify th-conn :$/cancelRequest (list :id id))
      (th-wait (lambda () (or done cerr)) 10)
      (puthash "cancelledResult"
               (append (list :ms (th-ms t0) :id id)
                       (cond (cerr (list :error cerr))
                             (done (list :result "completed instead of being cancelled"))
                             (t (list :error (list :code "timeout" :message "no answer in 10 s")))))
               th-steps)
      (th-call "terminate" :handle/terminate (list :handle h :reason "third-party test"))
      (th-call "describeTerminated" :handle/describe (list :handle h))
      (th-call "release" :handle/release (list :handle h))
      (th-call "describeReleased" :handle/describe (list :handle h)))
    (let ((unknown (th-call "getHandleUnknown" :workflow/getHandle (list :workflowId (concat prefix "-does-not-exist")))))
      (th-call "describeUnknown" :handle/describe (list :handle (plist-get unknown :handle))))
    ;; As Eglot's shutdown: params nil (sent as null), then exit.
    (th-call "shutdown" :shutdown nil)
    (let ((t1 (float-time)))
      (jsonrpc-notify th-conn :exit nil)
      (th-wait (lambda () th-closed) 15)
      (if (getenv "TH_SOCKET")
          (list :closed (if th-closed t :json-false) :ms (th-ms t1))
        (list :code (and th-closed th-exit-status) :ms (th-ms t1))))))

(let* ((t0 (float-time))
       (exit nil)
       (fatal nil)
       (jsonrpc-version (with-temp-buffer
                          (insert-file-contents (find-library-name "jsonrpc"))
                          (lm-version))))
  (condition-case e
      (setq exit (th-session))
    (error (setq fatal (format "%S" e))))
  (let ((transcript (list :client "emacs"
                          :clientVersion emacs-version
                          :jsonrpcElVersion jsonrpc-version
                          :transport (if (getenv "TH_SOCKET") "socket" "stdio")
                          :steps th-steps
                          :progress (vconcat (reverse th-progress))
                          :notes (vconcat th-notes)
                          :totalMs (th-ms t0))))
    (when exit (setq transcript (append transcript (list :exit exit))))
    (when fatal (setq transcript (append transcript (list :fatal fatal))))
    (let ((coding-system-for-write 'utf-8-unix))
      (with-temp-file (getenv "TH_TRANSCRIPT")
        (insert (json-serialize transcript :null-object nil :false-object :json-false)))))
  (kill-emacs 0))
