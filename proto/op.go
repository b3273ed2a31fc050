package proto

// Mode selects which side of the protocol a Parser reads.
type Mode uint8

const (
	ModeClient Mode = iota // server side, parsing what a client sends
	ModeRoute              // server side, parsing what a route peer sends
	ModeServer             // client side, parsing what a server sends
)

func (m Mode) String() string {
	switch m {
	case ModeClient:
		return "ModeClient"
	case ModeRoute:
		return "ModeRoute"
	case ModeServer:
		return "ModeServer"
	}
	return "Mode(?)"
}

// OpKind is the kind of a parsed op.
type OpKind uint8

const (
	OpNone OpKind = iota
	OpConnect
	OpInfo
	OpPing
	OpPong
	OpOK
	OpErr
	OpPub
	OpHPub
	OpSub
	OpUnsub
	OpMsg
	OpHMsg
	OpRSub
	OpRUnsub
	OpRMsg
	OpRHMsg
)

var opNames = [...]string{"OpNone", "OpConnect", "OpInfo", "OpPing", "OpPong", "OpOK", "OpErr",
	"OpPub", "OpHPub", "OpSub", "OpUnsub", "OpMsg", "OpHMsg", "OpRSub", "OpRUnsub", "OpRMsg", "OpRHMsg"}

func (k OpKind) String() string {
	if int(k) < len(opNames) {
		return opNames[k]
	}
	return "OpKind(?)"
}

// Op is one parsed operation. Slices point into the caller's buffer or the
// Parser's scratch and are valid until the next Next or Reset.
type Op struct {
	Kind    OpKind
	Account []byte   // route ops
	Subject []byte   //
	Reply   []byte   // PUB/MSG/RMSG reply subject
	Queue   []byte   // SUB queue, RS+/RS- queue
	Queues  [][]byte // RMSG/route HMSG queue names
	SID     []byte   // SUB, UNSUB, MSG, HMSG
	Max     int      // UNSUB max (0 = none); RS+ queue weight
	HdrLen  int      // HPUB/HMSG header length
	Payload []byte   // whole payload including headers
	Arg     []byte   // CONNECT/INFO JSON, -ERR text without quotes
}
