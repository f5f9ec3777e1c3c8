build-clang/src/cmd/record.o: src/cmd/record.c src/cmd/cmds.h \
  src/collect/events.h src/collect/session.h src/util/die.h \
  src/util/strbuf.h

src/cmd/cmds.h:

src/collect/events.h:

src/collect/session.h:

src/util/die.h:

src/util/strbuf.h:
