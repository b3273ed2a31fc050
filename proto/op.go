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
	HdrTok  []byte   // HPUB/HMSG/route HMSG: the header size as sent ("012"), for echoing
	SizeTok []byte   // PUB/HPUB/MSG/HMSG/RMSG/route HMSG: the (total) size as sent ("05"), for echoing
	Payload []byte   // whole payload including headers
	// Arg is the op's whole argument as nats-server reads it: from the
	// first byte after the blanks that follow the op name, up to the '\n',
	// without the byte the '\r' rule drops (see doc.go). For CONNECT and
	// INFO it is the JSON, for -ERR the text with its quotes; for the other
	// ops it is what nats-server traces.
	Arg []byte
}
