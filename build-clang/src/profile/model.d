build-clang/src/profile/model.o: src/profile/model.c src/profile/model.h \
  src/util/hashmap.h src/util/vec.h src/util/die.h \
  src/binary/symbolizer.h src/profile/format.h src/util/progress.h

src/profile/model.h:

src/util/hashmap.h:

src/util/vec.h:

src/util/die.h:

src/binary/symbolizer.h:

src/profile/format.h:

src/util/progress.h:
