/**
 * Test-only: two places where happy-dom differs from browsers in ways DOMPurify depends on.
 * Import this before anything that loads DOMPurify (it reads both when an instance is made), e.g.
 * `import '@/lib/testing/browserDom'` at the top of a test of `@/lib/richText`.
 *
 * 1. Browsers have one `nodeName` getter on Node.prototype that answers for every node, and
 *    DOMPurify calls that getter directly (a page cannot clobber it). happy-dom defines it per
 *    subclass and its Node.prototype getter answers "", so DOMPurify would see no tag names.
 * 2. A browser's NodeIterator survives the removal of its current node (the DOM standard's
 *    "pre-removing steps" move it to the preceding node). happy-dom's is a plain TreeWalker that
 *    stops at a removed node, so everything after the first removed element would go unchecked.
 * Without these the sanitiser tests would test happy-dom, not the sanitiser.
 */
const nodeNameGetter = Object.getOwnPropertyDescriptor(Node.prototype, 'nodeName')?.get

if (nodeNameGetter && nodeNameGetter.call(document.createElement('div')) === '') {
  Object.defineProperty(Node.prototype, 'nodeName', {
    configurable: true,
    get(this: Node): string {
      let proto = Object.getPrototypeOf(this) as object | null
      while (proto && proto !== Node.prototype) {
        const getter = Object.getOwnPropertyDescriptor(proto, 'nodeName')?.get
        if (getter) return getter.call(this) as string
        proto = Object.getPrototypeOf(proto) as object | null
      }
      return nodeNameGetter.call(this) as string
    },
  })
}

/** The node before `node` in tree order (its previous sibling's last descendant, or its parent). */
function precedingNode(node: Node): Node | null {
  let previous = node.previousSibling
  if (!previous) return node.parentNode
  while (previous.lastChild) previous = previous.lastChild
  return previous
}

function followingNode(node: Node, root: Node): Node | null {
  if (node.firstChild) return node.firstChild
  for (let current: Node | null = node; current && current !== root; current = current.parentNode) {
    if (current.nextSibling) return current.nextSibling
  }
  return null
}

const SHOW_BY_TYPE: Record<number, number> = { 1: 0x1, 2: 0x2, 3: 0x4, 4: 0x8, 7: 0x40, 8: 0x80, 9: 0x100, 10: 0x200, 11: 0x400 }

/** Forward iteration as a browser does it, including when the current node has been removed. */
class RemovalSafeNodeIterator {
  private reference: Node | null = null
  private before: Node | null = null

  constructor(
    readonly root: Node,
    readonly whatToShow: number = 0xffffffff,
    readonly filter: NodeFilter | null = null,
  ) {}

  private accepts(node: Node): boolean {
    if (!((SHOW_BY_TYPE[node.nodeType] ?? 0) & this.whatToShow)) return false
    if (!this.filter) return true
    const verdict = typeof this.filter === 'function' ? this.filter(node) : this.filter.acceptNode(node)
    return verdict === 1
  }

  nextNode(): Node | null {
    let current: Node | null
    if (this.reference === null) current = this.root
    else {
      let from: Node = this.reference
      // The current node was taken out of the tree: carry on from where it stood.
      if (from !== this.root && !this.root.contains(from)) from = this.before && this.root.contains(this.before) ? this.before : this.root
      current = followingNode(from, this.root)
      if (from === this.root && this.reference !== this.root && current === null) return null
    }
    while (current) {
      if (this.accepts(current)) {
        this.reference = current
        this.before = current === this.root ? null : precedingNode(current)
        return current
      }
      current = followingNode(current, this.root)
    }
    return null
  }

  previousNode(): Node | null {
    throw new Error('previousNode is not needed by the sanitiser tests')
  }

  detach(): void {}
}

const probe = document.createElement('div')
probe.innerHTML = '<i></i><b></b>'
const iterator = document.createNodeIterator(probe, 0x1)
iterator.nextNode()
const first = iterator.nextNode()
first?.parentNode?.removeChild(first)
if (iterator.nextNode()?.nodeName !== 'B') {
  // Set where happy-dom defines it (a per-window Document subclass), so every document uses it.
  let owner = Object.getPrototypeOf(document) as object
  while (!Object.prototype.hasOwnProperty.call(owner, 'createNodeIterator')) owner = Object.getPrototypeOf(owner) as object
  Object.defineProperty(owner, 'createNodeIterator', {
    configurable: true,
    writable: true,
    value: function createNodeIterator(root: Node, whatToShow?: number, filter?: NodeFilter | null) {
      return new RemovalSafeNodeIterator(root, whatToShow, filter) as unknown as NodeIterator
    },
  })
}
