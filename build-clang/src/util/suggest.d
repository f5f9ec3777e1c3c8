build-clang/src/util/suggest.o: src/util/suggest.c src/util/suggest.h \
  src/util/die.h

src/util/suggest.h:

src/util/die.h:
