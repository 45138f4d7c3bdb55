#include "delta/shared_list.hpp"

#include <gtest/gtest.h>
#include <numeric>
#include <vector>

namespace deltaduck {

namespace {

std::vector<int> Items(const delta::SharedList<int> &list) {
	return std::vector<int>(list.begin(), list.end());
}

std::vector<int> Range(int first, int last) {
	std::vector<int> items(last - first);
	std::iota(items.begin(), items.end(), first);
	return items;
}

} // namespace

TEST(SharedList, AppendsIterateInOrderAcrossChunks) {
	delta::SharedList<int> list;
	EXPECT_TRUE(list.empty());
	EXPECT_EQ(list.begin(), list.end());
	list.Append(Range(0, 2500)); // split into chunks
	list.Append(Range(2500, 2510));
	list.Append({});
	EXPECT_EQ(list.size(), 2510u);
	EXPECT_EQ(Items(list), Range(0, 2510));
	EXPECT_EQ(list[0], 0);
	EXPECT_EQ(list[1024], 1024);
	EXPECT_EQ(list[2509], 2509);
}

TEST(SharedList, CopiesShareChunksAndEraseCopiesOnlyWhatChanges) {
	delta::SharedList<int> base;
	base.Append(Range(0, 3000));
	auto copy = base;
	const int *untouched = &copy[2500];
	copy.EraseIf([](int i) { return i == 5 || i == 1030; });
	EXPECT_EQ(&copy[2498], untouched); // the third chunk is still the base's
	copy.Append({7000});               // merged into a copy of the small last chunk
	EXPECT_EQ(copy.size(), 2999u);
	EXPECT_EQ(base.size(), 3000u);
	EXPECT_EQ(Items(base), Range(0, 3000));
	auto expected = Range(0, 3000);
	std::erase_if(expected, [](int i) { return i == 5 || i == 1030; });
	expected.push_back(7000);
	EXPECT_EQ(Items(copy), expected);
	copy.EraseIf([](int) { return true; });
	EXPECT_TRUE(copy.empty());
	EXPECT_EQ(copy.begin(), copy.end());
}

} // namespace deltaduck
