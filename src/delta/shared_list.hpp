#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

namespace deltaduck::delta {

//! An immutable list held in chunks that copies of it share: a snapshot advanced by one commit keeps the chunks of
//! the snapshot before it and adds one, instead of copying every file (copying 9,000 adds took 2.5 ms of a 3 ms
//! refresh). Only the chunks that lose an element are copied.
template <class T>
class SharedList {
public:
	using Chunk = std::vector<T>;

	class const_iterator {
	public:
		using iterator_category = std::forward_iterator_tag;
		using value_type = T;
		using difference_type = std::ptrdiff_t;
		using pointer = const T *;
		using reference = const T &;

		const_iterator() = default;
		reference operator*() const {
			return (*(*chunks_)[chunk_])[offset_];
		}
		pointer operator->() const {
			return &**this;
		}
		const_iterator &operator++() {
			if (++offset_ == (*chunks_)[chunk_]->size()) {
				offset_ = 0;
				++chunk_;
			}
			return *this;
		}
		const_iterator operator++(int) {
			auto before = *this;
			++*this;
			return before;
		}
		bool operator==(const const_iterator &other) const {
			return chunk_ == other.chunk_ && offset_ == other.offset_;
		}

	private:
		friend class SharedList;
		const_iterator(const std::vector<std::shared_ptr<const Chunk>> *chunks, size_t chunk)
		    : chunks_(chunks), chunk_(chunk) {
		}
		const std::vector<std::shared_ptr<const Chunk>> *chunks_ = nullptr;
		size_t chunk_ = 0;
		size_t offset_ = 0;
	};

	size_t size() const {
		return size_;
	}
	bool empty() const {
		return size_ == 0;
	}
	const_iterator begin() const {
		return const_iterator(&chunks_, 0);
	}
	const_iterator end() const {
		return const_iterator(&chunks_, chunks_.size());
	}
	const T &operator[](size_t index) const {
		for (const auto &chunk : chunks_) {
			if (index < chunk->size()) {
				return (*chunk)[index];
			}
			index -= chunk->size();
		}
		return (*chunks_.back())[chunks_.back()->size()]; // out of range, as a vector's would be
	}

	//! Adds `items` at the end, in chunks of at most CHUNK. A small last chunk is merged with them, so refreshes do
	//! not pile up tiny chunks.
	void Append(Chunk &&items) {
		if (items.empty()) {
			return;
		}
		size_ += items.size();
		if (!chunks_.empty() && chunks_.back()->size() + items.size() <= CHUNK) {
			auto merged = std::make_shared<Chunk>(*chunks_.back());
			std::move(items.begin(), items.end(), std::back_inserter(*merged));
			chunks_.back() = std::move(merged);
			return;
		}
		if (items.size() <= CHUNK) {
			chunks_.push_back(std::make_shared<const Chunk>(std::move(items)));
			return;
		}
		for (size_t first = 0; first < items.size(); first += CHUNK) {
			auto last = std::min(items.size(), first + CHUNK);
			chunks_.push_back(std::make_shared<const Chunk>(std::make_move_iterator(items.begin() + first),
			                                                std::make_move_iterator(items.begin() + last)));
		}
	}

	//! Removes the elements for which `drop` is true; only chunks that hold one are copied.
	template <class Drop>
	void EraseIf(Drop &&drop) {
		std::vector<std::shared_ptr<const Chunk>> kept;
		std::vector<bool> dropped;
		for (auto &chunk : chunks_) {
			dropped.assign(chunk->size(), false);
			size_t count = 0;
			for (size_t i = 0; i < chunk->size(); i++) {
				dropped[i] = drop((*chunk)[i]);
				count += dropped[i] ? 1 : 0;
			}
			if (count == 0) {
				kept.push_back(std::move(chunk));
				continue;
			}
			size_ -= count;
			if (count < chunk->size()) {
				auto copy = std::make_shared<Chunk>();
				copy->reserve(chunk->size() - count);
				for (size_t i = 0; i < chunk->size(); i++) {
					if (!dropped[i]) {
						copy->push_back((*chunk)[i]);
					}
				}
				kept.push_back(std::move(copy));
			}
		}
		chunks_ = std::move(kept);
	}

private:
	//! Elements per chunk: an element dropped costs a copy of at most this many.
	static constexpr size_t CHUNK = 1024;
	std::vector<std::shared_ptr<const Chunk>> chunks_;
	size_t size_ = 0;
};

} // namespace deltaduck::delta
