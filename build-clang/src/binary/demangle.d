build-clang/src/binary/demangle.o: src/binary/demangle.c \
  src/binary/symbolizer.h src/util/die.h src/util/strbuf.h

src/binary/symbolizer.h:

src/util/die.h:

src/util/strbuf.h:
